#!/usr/bin/env python3
"""hb-resource-script, the runner of heartbeat resource scripts, with real shell scripts in
temporary directories (HB_RESOURCE_SCRIPT_DIRS): heartbeat's status rule, status before start,
the stop after a failed start, stops confirmed by status and retried every second ten times,
the lookup on every run, and heartbeat's environment. No systemd or bus needed."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

RUNNER = sys.argv[1]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


class Scripts:
    """Two script directories (resource.d and init.d stand-ins) and a state directory."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="hb-resource-script-")
        self.resource_d = os.path.join(self.root, "resource.d")
        self.init_d = os.path.join(self.root, "init.d")
        self.state = os.path.join(self.root, "state")
        for d in (self.resource_d, self.init_d, self.state):
            os.mkdir(d)

    def write(self, name, body, where=None):
        path = os.path.join(where or self.resource_d, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\nSTATE=%s\n%s\n" % (self.state, body))
        os.chmod(path, 0o755)
        return path

    def run(self, *args, timeout=60):
        env = dict(os.environ, HB_RESOURCE_SCRIPT_DIRS=self.resource_d + ":" + self.init_d)
        for var in ("HA_DIR", "HA_FUNCS", "OCF_ROOT", "HA_RESOURCEDIR"):
            env.pop(var, None)
        started = time.monotonic()
        p = subprocess.run([RUNNER, *args], capture_output=True, text=True, env=env,
                           timeout=timeout)
        return p.returncode, p.stderr, time.monotonic() - started

    def lines(self, name):
        try:
            with open(os.path.join(self.state, name)) as f:
                return f.read().split("\n")[:-1]
        except FileNotFoundError:
            return []

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


# A product: a background sleep whose pid is kept in the state directory. `status` prints what
# an init script prints; each call is logged, one line per call. A killed sleep may stay a zombie
# until whoever adopted it reaps it: that counts as gone.
PRODUCT = r"""
echo "$*" >> $STATE/calls
pid() { cat $STATE/pid 2>/dev/null; }
alive() { [ -n "$(pid)" ] && grep -q '^State:[^Z]*$' /proc/"$(pid)"/status 2>/dev/null; }
case "$1" in
  start) setsid sleep 300 >/dev/null 2>&1 < /dev/null & echo $! > $STATE/pid; %(start_exit)s ;;
  stop)  %(stop)s ;;
  status) if alive; then echo "product is running"; exit 0; else echo "product is not running"; exit 3; fi ;;
esac
"""


def product(start_exit="exit 0", stop='kill "$(pid)" 2>/dev/null; rm -f $STATE/pid; exit 0'):
    return PRODUCT % {"start_exit": start_exit, "stop": stop}


def status_rule(s):
    cases = [
        ('echo "db2inst1 is not running"; exit 0', 3, "the text 'not running' wins over exit 0"),
        ('echo "INFO: db2 Running OK"; exit 3', 0, "the text 'Running OK' wins over exit 3"),
        ('echo "stopped"; exit 3', 3, "unrecognized text: exit 3 is stopped"),
        ('echo "stopped"; exit 0', 0, "unrecognized text: exit 0 is running"),
        ('exit 0', 0, "no text: exit 0 is running"),
        ('echo "pid file left"; exit 1', 1, "no text rule, exit 1: failed"),
        ('exit 4', 1, "exit 4: failed"),
        ('kill -9 $$', 1, "killed by a signal: failed"),
    ]
    for body, want, what in cases:
        s.write("st", 'case "$1" in status) %s ;; esac' % body)
        rc, err, _ = s.run("st", "status")
        check(rc == want, "status: %s (runner exit %d, want %d)" % (what, rc, want))


def start_skips_what_runs(s):
    s.write("prod", 'echo "$*" >> $STATE/calls\n'
            'case "$1" in status) echo "QM1 Running"; exit 0;; start) exit 0;; esac')
    rc, err, _ = s.run("prod", "QM1", "start")
    check(rc == 0, "start of a running product succeeds")
    check(s.lines("calls") == ["QM1 status"], "... without calling start: %s" % s.lines("calls"))
    check("start skipped" in err, "... and says so")


def the_scripts_answer_rules(s):
    # The product runs, but the script says "stopped" (LSB 3): hb believes it and starts, as
    # heartbeat did; a script that means "running" must say so.
    s.write("prod", 'echo "$*" >> $STATE/calls\n'
            'case "$1" in status) echo "stopped"; exit 3;; start) exit 0;; esac')
    rc, err, _ = s.run("prod", "start")
    check(rc == 0 and s.lines("calls") == ["status", "start"],
          "status says stopped while it runs: start is called (%s)" % s.lines("calls"))


def start_then_stop(s):
    s.write("prod", product())
    rc, _, _ = s.run("prod", "start")
    check(rc == 0 and s.run("prod", "status")[0] == 0, "start runs it; status says running")
    rc, _, _ = s.run("prod", "stop")
    check(rc == 0 and s.run("prod", "status")[0] == 3, "stop stops it; status says stopped")
    check(s.lines("calls")[:4] == ["status", "start", "status", "stop"],
          "status before start, status after stop: %s" % s.lines("calls"))


def failed_start_is_cleaned(s):
    s.write("prod", product(start_exit="exit 7"))
    rc, err, _ = s.run("prod", "start")
    check(rc == 7, "a failed start fails the runner with the script's code (%d)" % rc)
    check(s.lines("calls") == ["status", "start", "stop", "status"],
          "a failed start is followed by a stop: %s" % s.lines("calls"))
    check(s.run("prod", "status")[0] == 3, "nothing half-started is left running")


def failing_stop_is_retried_then_fails(s):
    # stop fails and leaves the product running: ten retries a second apart, then a failure.
    s.write("prod", product(stop="exit 1"))
    s.run("prod", "start")
    rc, err, took = s.run("prod", "stop")
    stops = [c for c in s.lines("calls") if c == "stop"]
    check(rc != 0, "a stop that leaves the product running fails (exit %d)" % rc)
    check(len(stops) == 11, "... after the first stop and 10 retries (%d stops)" % len(stops))
    check(9.0 <= took < 20.0, "... one second apart (%.1f s)" % took)
    check("may still" in err, "... and says the product may still run")
    # clean up the product
    pid = open(os.path.join(s.state, "pid")).read().strip()
    subprocess.run(["kill", pid])


def stop_confirmed_by_status(s):
    # stop exits 0 but the product takes two more tries to go: retried while status says running.
    s.write("prod", product(stop='n=$(cat $STATE/n 2>/dev/null || echo 0); n=$((n+1)); '
                                 'echo $n > $STATE/n; [ $n -ge 3 ] && kill "$(pid)"; exit 0'))
    s.run("prod", "start")
    rc, _, took = s.run("prod", "stop")
    stops = [c for c in s.lines("calls") if c == "stop"]
    check(rc == 0 and len(stops) == 3, "a stop after which status says running is retried "
          "until it is stopped (%d stops, exit %d)" % (len(stops), rc))


def failing_stop_of_a_stopped_product(s):
    # heartbeat's leniency: stop keeps failing but status says not running: taken as stopped.
    s.write("prod", product(stop="exit 1"))
    rc, err, _ = s.run("prod", "stop")
    check(rc == 0, "a failing stop of what is not running is taken as stopped, after the retries")
    check("taken as stopped" in err, "... with a warning")


def lookup_on_every_run(s):
    rc, err, _ = s.run("later", "start")
    check(rc == 5 and "Cannot locate resource script later" in err,
          "a missing script: start fails (5, not installed) and says where it looked")
    check(s.run("later", "stop")[0] == 0, "a missing script: stop has nothing to stop")
    check(s.run("later", "status")[0] == 1, "a missing script: status fails")
    s.write("later", 'case "$1" in status) echo "from init.d: not running"; exit 3;; '
            'start) echo init.d > $STATE/who;; esac', where=s.init_d)
    check(s.run("later", "start")[0] == 0 and s.lines("who") == ["init.d"],
          "a script installed after is found on the next run (init.d)")
    s.write("later", 'case "$1" in status) exit 3;; start) echo resource.d > $STATE/who;; esac')
    s.run("later", "start")
    check(s.lines("who") == ["resource.d"], "resource.d comes before init.d (heartbeat's order)")
    os.chmod(os.path.join(s.resource_d, "later"), 0o644)
    s.run("later", "start")
    check(s.lines("who") == ["init.d"], "a file that is not executable is passed over")
    rc, err, _ = s.run("../init.d/later", "start")
    check(rc == 5, "a name with a slash is never looked up (%d)" % rc)


def heartbeat_environment_and_arguments(s):
    s.write("db2", 'case "$3" in status) exit 3;; start) '
            'echo "$1|$2|$HA_DIR|$HA_FUNCS|$HA_RESOURCEDIR|$OCF_ROOT" > $STATE/env;; esac')
    rc, _, _ = s.run("db2", "db2inst1", "two words", "start")
    check(rc == 0, "a script with two arguments starts")
    check(s.lines("env") == ["db2inst1|two words|/etc/ha.d|/etc/ha.d/shellfuncs|"
                             "/etc/ha.d/resource.d|/usr/lib/ocf"],
          "arguments in order, heartbeat's HA_* and OCF_ROOT: %s" % s.lines("env"))


def usage(s):
    check(s.run()[0] == 2, "no arguments: usage (2)")
    check(s.run("x", "restart")[0] == 2, "an unknown action: usage (2)")


for test in (status_rule, start_skips_what_runs, the_scripts_answer_rules, start_then_stop, failed_start_is_cleaned,
             failing_stop_is_retried_then_fails, stop_confirmed_by_status,
             failing_stop_of_a_stopped_product, lookup_on_every_run,
             heartbeat_environment_and_arguments, usage):
    scripts = Scripts()
    try:
        print("# " + test.__name__, flush=True)
        test(scripts)
    finally:
        scripts.cleanup()

print("%d failed" % len(failures))
sys.exit(1 if failures else 0)
