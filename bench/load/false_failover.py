#!/usr/bin/env python3
"""False failovers under load (issue 6): the seed cluster on the rig at fast timings, both cores
saturated by CPU hogs for a bounded time, the site polled from the client every 20 ms.

A false failover is anything a user would call one while no node failed: a node declared dead
(hb-membershipd's "is dead" on either node), the group released by ha1 (e.g. its hb-linkd taken
for hung) or acquired by ha2, or the site answered by another node than ha1. Also counted: dead links (one medium lost, the node still up), late
heartbeats (warntime), and failed requests (the poller's 0.3 s timeout). Goal: zero false
failovers over 10 minutes.

With --loss PCT, each node's cluster LAN (eth0) also drops PCT % of its packets both ways at
random (`rig loss`, nftables numgen; this kernel has no netem, so there is no added delay or
jitter). With --stack keepalived the nodes run Debian's keepalived instead (`rig up --stack
keepalived`, advert_int = --keepalive): a false failover is then a VRRP transition (ha2 entering
MASTER, ha1 leaving it) or a page from ha2.

Load: HOGS busy loops (default 2 per core) in each node, as a busy application there would be
(systemd-run ... RuntimeMaxSec=SECONDS, in the node's own cgroup), and as many on the host,
outside the nodes (`timeout SECONDS`). Every hog stops by itself; the rig's teardown removes the
nodes' ones too.

    bench/load/false_failover.py --build-dir build [--seconds 600] [--keepalive 50ms]
                                 [--deadtime 200ms] [--hogs N] [--loss PCT] [--no-serial]
                                 [--stack hb|keepalived] [--out DIR]

Prints one summary line and writes results.json (and the poll log) to --out (default a new
/tmp/hb-loadbench-* dir). Exit 0 when there was no false failover, 1 otherwise, 77 to skip.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "bench"))
from rig_calls import out_dir, rig, rig_up, serves, wait_until  # noqa: E402

POLL = os.path.join(SRC, "bench", "failover", "poll.py")


def log(msg):
    print("loadbench: " + msg, file=sys.stderr, flush=True)


def journal_lines(run, node, unit, grep, since):
    out = rig(run, "exec", node, "journalctl", "-q", "-o", "cat", "-u", unit, "--since",
              "@%.3f" % since, "--grep", grep, check=False)
    return [l for l in out.splitlines() if l.strip()]


def journal_count(run, node, unit, grep, since):
    return len(journal_lines(run, node, unit, grep, since))


def keepalived_verdict(a, run, t0, loads, result, out):
    """keepalived's false failovers: VRRP transitions of either node since T0, pages from ha2."""
    for node in ("ha1", "ha2"):
        result[f"{node}_entered_master"] = journal_count(run, node, "keepalived",
                                                         "Entering MASTER STATE", t0)
        result[f"{node}_entered_backup"] = journal_count(run, node, "keepalived",
                                                         "Entering BACKUP STATE", t0)
    false = (result["ha2_entered_master"] + result["ha1_entered_backup"] +
             result["answered_by_other_than_ha1"])
    return verdict(result, false, out, f"{a.seconds} s, keepalived, advert_int {a.keepalive}, "
                   f"{a.loss} % loss, {a.hogs} hogs per node + {a.hogs} on the host (load "
                   f"{min(loads):.1f}-{max(loads):.1f}): false failovers {false} (ha2 entered "
                   f"MASTER {result['ha2_entered_master']}, ha1 entered BACKUP "
                   f"{result['ha1_entered_backup']}, pages from ha2 "
                   f"{result['answered_by_other_than_ha1']})")


def verdict(result, false, out, summary):
    """Writes results.json, prints SUMMARY with the client's figures; exit status 0 when there
    was no false failover, 1 otherwise."""
    result["false_failovers"] = false
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(f"{summary}; requests {result['requests']}, failed {result['failed_requests']}, "
          f"slowest answer {result['max_response_s']:.3f} s. Details in {out}/results.json")
    return 0 if false == 0 else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.environ.get("HB_BUILD_DIR", os.path.join(SRC, "build")))
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--keepalive", default="40ms")
    ap.add_argument("--deadtime", default="250ms")
    ap.add_argument("--hogs", type=int, default=2 * (os.cpu_count() or 2))
    ap.add_argument("--loss", type=int, default=0, help="%% of eth0 packets dropped in each node")
    ap.add_argument("--no-serial", action="store_true", help="heartbeats on UDP only")
    ap.add_argument("--stack", choices=("hb", "keepalived"), default="hb")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (the rig boots systemd-nspawn nodes)")
        return 77
    out = out_dir(a.out, "hb-loadbench-")
    run = None
    host_hogs = []
    poller = None
    stop_file = os.path.join(out, "poll.stop")

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        args = ["--build-dir", a.build_dir, "--keepalive", a.keepalive, "--deadtime", a.deadtime,
                "--stack", a.stack]
        if not a.no_serial and a.stack == "hb":
            args.append("--serial")
        run = rig_up(*args)
        media = "bcast" if a.no_serial or a.stack != "hb" else "serial + bcast"
        log(f"rig run {run} up ({a.stack}, keepalive {a.keepalive}, deadtime {a.deadtime}, {media})")

        wait_until(lambda: serves(run, "ha1"), 15, "ha1 serves the site")
        time.sleep(1)  # steady state: both nodes see each other
        if a.loss:
            for node in ("ha1", "ha2"):
                rig(run, "loss", node, str(a.loss))
            log(f"{a.loss} % loss on each node's eth0")
        t0 = time.time()
        poll_log = os.path.join(out, "poll.log")
        poller = subprocess.Popen(["ip", "netns", "exec", f"hb{run}-client", sys.executable, POLL,
                                   poll_log, stop_file, str(a.seconds + 5)])
        busy = ["/bin/sh", "-c", "while :; do :; done"]
        for node in ("ha1", "ha2"):
            for i in range(a.hogs):
                rig(run, "exec", node, "systemd-run", "--quiet", f"--unit=hb-bench-hog-{i}",
                    f"--property=RuntimeMaxSec={a.seconds}", *busy)
        host_hogs = [subprocess.Popen(["timeout", str(a.seconds), *busy]) for _ in range(a.hogs)]
        log(f"{a.hogs} hogs in each node and {a.hogs} on the host for {a.seconds} s")
        loads = []
        end = time.monotonic() + a.seconds
        while time.monotonic() < end:
            time.sleep(min(30, max(0.1, end - time.monotonic())))
            with open("/proc/loadavg") as f:
                loads.append(float(f.read().split()[0]))
            log("%4.0f s: load %.1f" % (a.seconds - (end - time.monotonic()), loads[-1]))
        for h in host_hogs:
            h.wait(timeout=30)
        open(stop_file, "w").close()
        poller.wait(timeout=30)
        poller = None

        answers = [l.split() for l in open(poll_log) if l.strip()]
        window = [x for x in answers if float(x[0]) <= t0 + a.seconds]
        result = {
            "seconds": a.seconds, "keepalive": a.keepalive, "deadtime": a.deadtime,
            "stack": a.stack, "loss_percent": a.loss, "media": media,
            "hogs_per_place": a.hogs, "load_avg_samples": loads,
            "requests": len(window),
            "failed_requests": sum(1 for x in window if x[2] == "-"),
            "answered_by_other_than_ha1": sum(1 for x in window if x[2] not in ("ha1", "-")),
            "max_response_s": max((float(x[1]) - float(x[0]) for x in window if x[2] != "-"),
                                  default=0.0),
        }
        if a.stack == "keepalived":
            return keepalived_verdict(a, run, t0, loads, result, out)
        for node in ("ha1", "ha2"):
            result[f"{node}_node_declared_dead"] = journal_count(run, node, "hb-membershipd",
                                                                 ": is dead", t0)
            result[f"{node}_links_dead"] = journal_count(run, node, "hb-linkd",
                                                         r" dead\. Nothing heard", t0)
            result[f"{node}_late_heartbeats"] = journal_count(run, node, "hb-linkd",
                                                              "late heartbeat", t0)
            result[f"{node}_acquired"] = journal_count(run, node, "hb-resourced", "^acquiring", t0)
            # The lines themselves: each says why (in parentheses), and so does the journal
            # entry before it.
            released = journal_lines(run, node, "hb-resourced", "^releasing", t0)
            result[f"{node}_released"] = len(released)
            result[f"{node}_release_lines"] = released
            # "hb-linkd has not answered for N ms: it hangs" (ping) or "hb-linkd's heartbeats
            # last left N ms ago: it hangs" (beacon).
            result[f"{node}_linkd_seen_hung"] = journal_count(run, node, "hb-resourced",
                                                              ": it hangs", t0)
            result[f"{node}_resourced_warnings"] = journal_lines(
                run, node, "hb-resourced", "hangs|failed|lost|releasing|acquiring", t0)
        false = (result["ha1_node_declared_dead"] + result["ha2_node_declared_dead"] +
                 result["ha2_acquired"] + result["ha1_released"] +
                 result["answered_by_other_than_ha1"])
        return verdict(
            result, false, out,
            f"{a.seconds} s, {a.stack}, keepalive {a.keepalive} / deadtime {a.deadtime}, {media}, "
            f"{a.loss} % loss, {a.hogs} hogs per node + {a.hogs} on the host (load "
            f"{min(loads):.1f}-{max(loads):.1f}): false failovers {false} (nodes declared dead "
            f"{result['ha1_node_declared_dead'] + result['ha2_node_declared_dead']}, ha2 acquired "
            f"{result['ha2_acquired']}, ha1 released {result['ha1_released']}, pages from ha2 "
            f"{result['answered_by_other_than_ha1']}); hb-linkd seen hung "
            f"{result['ha1_linkd_seen_hung'] + result['ha2_linkd_seen_hung']}; dead links "
            f"{result['ha1_links_dead'] + result['ha2_links_dead']}, late heartbeats "
            f"{result['ha1_late_heartbeats'] + result['ha2_late_heartbeats']}")
    finally:
        for h in host_hogs:
            if h.poll() is None:
                h.kill()
                h.wait()
        if poller is not None and poller.poll() is None:
            open(stop_file, "w").close()
            try:
                poller.wait(timeout=10)
            except subprocess.TimeoutExpired:
                poller.kill()
        if run:
            rig(run, "down", check=False, timeout=120)


if __name__ == "__main__":
    sys.exit(main())
