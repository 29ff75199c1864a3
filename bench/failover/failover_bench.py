#!/usr/bin/env python3
"""Failover benchmark of hb-resourced on the rig (issue 6, "Benchmark"), optionally side by side
with Debian's heartbeat 3.0.6 (`rig up --stack heartbeat`, v1 haresources mode).

From the rig's client namespace a poller (poll.py) fetches http://192.0.2.10/hostname.html every
20 ms; the page names the node that served it. Each run boots a fresh two-node rig and measures:

  (d) cold start:  `rig up --hb manual`, then hb.target started on both nodes at once -> first page
  (b) clean stop:  `rig hb-stop ha1` (the holder)                        -> first page from ha2
  (c) failback:    `rig hb-start ha1` after (b) (auto_failback on)       -> time without a page
                   (last ha2 page -> first ha1 page) and the number of failed requests
  (a) power-off:   `rig poweroff ha1` (kill -9 of its init, cables down) -> first page from ha2

"-> first page" is from just before the rig command is run (for (a): from the kill itself, whose
time `rig poweroff` prints, so the rig script's own start-up is not counted) to the moment the
first answer from the new node arrives at the client. Each failover is split, from the nodes' journals (read right
after each measurement), into:
  detect   fault -> the survivor's hb-membershipd declares ha1 dead (a) / ha1 has released (b:
           "release", then "notice" = released -> the survivor starts acquiring) / hb start ->
           the preferred node starts acquiring (c, d: daemons' start-up and the hand-over)
  ip, mount, apache   the time hb-resourced logged for starting each resource (HB_DURATION_MS)
  net      "acquired" entry -> first page at the client (gratuitous ARP, TCP, the poller's tick)

  --slow   the seed's timings (keepalive 2, deadtime 60, initdead 120): only (a) is measured
           (the others do not depend on deadtime) and --runs defaults to 1 (a run lasts ~70 s).
  --stack  hb (default), heartbeat, or both: runs alternate (hb run 1, heartbeat run 1, hb run 2,
           ...) so both see the same machine noise; one table then puts a row per stack.
  --keepalive T, --deadtime T   passed to `rig up` (heartbeat's time syntax; default 100ms / 1).

For heartbeat the split comes from its syslog lines in the node's journal (journald's receive
time of each line): detect = "node ha1: is dead"; react = that -> ResourceManager's "Acquiring
resource group"; ip / mount = ResourceManager's "Running .../IPaddr|Filesystem ... start" -> the
agent's "Success"; apache = "Running /etc/init.d/apache2 start" -> systemd's "Started
apache2.service"; rm = the rest of the group's start (ResourceManager's status probe before
each start, forks); release (b) = command -> "All HA resources relinquished" on ha1, notice =
that -> ha2 starts acquiring; (c) startup = command -> ha2's "Releasing resource group",
release = -> its "foreign HA resource release completed"; net = "Started apache2" -> page.

Usage: failover_bench.py [--build-dir DIR] [--runs N] [--slow] [--stack hb|heartbeat|both]
                         [--keepalive T] [--deadtime T] [--out DIR]
Every wait is bounded; the rig is always taken down (also on error, SIGINT and SIGTERM).
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
RIG = os.path.join(SRC, "tests", "rig", "rig")
POLL = os.path.join(HERE, "poll.py")
HOLDERS = os.path.join(SRC, "tests", "rig", "holders.py")


class Failed(Exception):
    pass


def log(msg):
    print("failbench: " + msg, file=sys.stderr, flush=True)


def journal_entries(out):
    """`journalctl -o json` output as (time in epoch s, fields), for entries with a text MESSAGE."""
    entries = []
    for line in out.splitlines():
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if isinstance(j.get("MESSAGE", ""), str):
            entries.append((int(j["__REALTIME_TIMESTAMP"]) / 1e6, j))
    return entries


class Rig:
    def __init__(self, build_dir, slow, hb_mode, stack="hb", timings=None):
        args = [RIG, "up", "--build-dir", build_dir, "--hb", hb_mode] + (["--slow"] if slow else [])
        if stack != "hb":
            args += ["--stack", stack]
        for opt, val in sorted((timings or {}).items()):
            args += ["--" + opt, val]
        self.stack = stack
        self.logdir = None
        self.two_holders = {}  # measurement name -> (samples with two mounts, with two IPs)
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=300)
        if p.returncode != 0:
            raise Failed("rig up failed: " + p.stderr.strip()[-500:])
        self.run = p.stdout.strip().splitlines()[-1]
        self.info = {}
        for line in self("info", check=False).splitlines():
            k, _, v = line.partition("=")
            self.info[k] = v
        RIG_INFO.setdefault(stack, dict(self.info))

    def __call__(self, *args, timeout=60, check=True):
        p = subprocess.run([RIG, "--run", self.run] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise Failed("rig %s: %s" % (" ".join(args), p.stderr.strip()[-300:]))
        return p.stdout

    def popen(self, *args):
        return subprocess.Popen([RIG, "--run", self.run] + list(args), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def down(self):
        subprocess.run([RIG, "down", self.run], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)

    def save_journals(self, workdir, tag):
        """Every node's whole journal (this boot) into WORKDIR, to see why a measurement failed."""
        for k in range(1, int(self.info.get("NODES", "2")) + 1):
            out = self("exec", "ha%d" % k, "journalctl", "-b", "-o", "short-precise", "--no-pager",
                       timeout=30, check=False)
            with open(os.path.join(workdir, "%s-%s-ha%d.journal.txt" % (tag, self.run, k)), "w") as f:
                f.write(out)

    def unit_journal(self, node, since, units):
        """PID 1's entries about UNITS in NODE's journal since SINCE (epoch s): (time, message)."""
        out = self("exec", node, "journalctl", "-o", "json", "--no-pager", "_PID=1",
                   *["UNIT=" + u for u in units], "--since", "@%.6f" % since, timeout=30,
                   check=False)
        return [(t, j.get("MESSAGE", "")) for t, j in journal_entries(out)]

    def journal(self, node, since):
        """The cluster stack's entries in NODE's journal since SINCE (epoch s), as (time,
        identifier, fields): hb's daemons; for heartbeat its syslog lines (heartbeat, its
        ResourceManager and resource agents; not the stderr copy) and systemd's about Apache."""
        out = self("exec", node, "journalctl", "-o", "json", "--no-pager",
                   "--since", "@%.6f" % since, timeout=30, check=False)
        if self.logdir:  # the raw journal next to the poll logs, for a second look
            with open(os.path.join(self.logdir, "%s-%s-%.0f.journal.json" % (self.run, node, since)),
                      "w") as f:
                f.write(out)
        entries = []
        for t, j in journal_entries(out):
            ident = j.get("SYSLOG_IDENTIFIER", "")
            if self.stack == "hb":
                keep = ident in ("hb-resourced", "hb-membershipd")
            elif self.stack == "keepalived":
                keep = ident in ("Keepalived_vrrp", "hb-rig-notify") or (
                    j.get("_PID") == "1" and j.get("UNIT") == "apache2.service")
            else:
                keep = j.get("_TRANSPORT") == "syslog" or (
                    j.get("_PID") == "1" and j.get("UNIT") == "apache2.service")
            if keep:
                entries.append((t, ident, j))
        return entries


class Poller:
    """One poll.py process in the client namespace for one measurement."""

    def __init__(self, rig, workdir, name, max_s):
        self.log = os.path.join(workdir, name + ".log")
        self.stop = os.path.join(workdir, name + ".stop")
        self.proc = rig.popen("client", "python3", POLL, self.log, self.stop, str(max_s))
        self.seen = []  # the longest log read so far

    def rows(self):
        try:
            with open(self.log) as f:
                rows = []
                for line in f:
                    parts = line.split()
                    if len(parts) == 3:
                        rows.append((float(parts[0]), float(parts[1]), parts[2]))
                return rows
        except FileNotFoundError:
            return []

    def wait_for(self, pred, timeout, what):
        end = time.time() + timeout
        while time.time() < end:
            rows = self.rows()
            if len(rows) >= len(self.seen):
                self.seen = rows
            if pred(rows):
                return
            time.sleep(0.05)
        raise Failed("timed out after %.0f s waiting for %s" % (timeout, what))

    def finish(self):
        open(self.stop, "w").close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        rows = self.rows()
        if len(rows) < len(self.seen):
            # Seen once on the shared machine: the log was empty after the poller had stopped.
            log("warning: %s shrank from %d to %d lines; using what was read before" %
                (self.log, len(self.seen), len(rows)))
            rows = self.seen
        return rows


def first_page(rows, after, who):
    """Arrival time of the first page served by WHO among requests started after AFTER."""
    t = [end for start, end, w in rows if start >= after and w == who]
    return min(t) if t else None


def steady(who, since_fn, hold=1.0):
    """Predicate: WHO has answered for HOLD seconds (requests started after since_fn())."""

    def pred(rows):
        since = since_fn()
        f = first_page(rows, since, who)
        return f is not None and any(s >= f + hold and w == who for s, _, w in rows)

    return pred


def resource_kind(name):
    if name.startswith("Filesystem::"):
        return "mount"
    if name[:1].isdigit() or name.startswith(("IPaddr", "IPaddr2")):
        return "ip"
    return "apache"


def find(entries, prefix, after=0.0, **fields):
    for t, ident, j in entries:
        if t >= after and j.get("MESSAGE", "").startswith(prefix) and all(
                j.get(k) == v for k, v in fields.items()):
            return t, j
    return None, None


def acquisition(entries, after):
    """The survivor's acquisition after AFTER: start time, per-kind durations (s), end time."""
    t_acq, _ = find(entries, "acquiring ", after)
    t_done, _ = find(entries, "acquired ", after)
    parts = {}
    for t, _, j in entries:
        if t >= (t_acq or after) and j.get("MESSAGE", "").startswith("started ") and "HB_RESOURCE" in j:
            parts[resource_kind(j["HB_RESOURCE"])] = int(j["HB_DURATION_MS"]) / 1000.0
    return t_acq, parts, t_done


class Sampler:
    """tests/rig/holders.py sampling who holds the IP and /ha every 20 ms during one measurement:
    the samples at which two nodes had the shared disk mounted at once."""

    def __init__(self, rig, workdir, name):
        self.log = os.path.join(workdir, name + ".holders")
        self.proc = subprocess.Popen(
            [sys.executable, HOLDERS, rig("state-dir").strip(), "--sample", "--period", "0.02",
             "--max-seconds", "600", "--log", self.log],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def finish(self):
        """The number of samples with the mount on two nodes, and with the IP on two nodes."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        mounts = ips = 0
        try:
            with open(self.log) as f:
                for line in f:
                    if "TWO HOLDERS" not in line:
                        continue
                    held = [w.split("=", 1)[1] for w in line.split() if "=" in w]
                    mounts += sum("mount" in h for h in held) > 1
                    ips += sum("ip" in h.split("+") for h in held) > 1
        except FileNotFoundError:
            pass
        return mounts, ips


def fault_moment(rig_output):
    """The wall-clock time `rig poweroff` prints for the kill, or None."""
    m = re.search(r"lost power at ([0-9.]+)", rig_output or "")
    return float(m.group(1)) if m else None


def measure(rig, workdir, name, fault, before, after, max_s, before_s=15):
    """Start a poller and a holders sampler, wait until BEFORE serves (or, for None, a few failed
    requests), run FAULT, wait until AFTER serves steadily. Returns (t0, rows); the samples with
    two holders are in rig.two_holders[name]."""
    p = Poller(rig, workdir, name, max_s + before_s)
    sampler = Sampler(rig, workdir, name)
    try:
        if before is None:
            p.wait_for(lambda r: len(r) >= 5, 10, "the poller to start")
        else:
            p.wait_for(lambda r: sum(1 for x in r if x[2] == before) >= 5, before_s,
                       "%s to serve before %s" % (before, name))
        t0 = time.time()
        # A fault that knows its own moment (the rig's power loss) is timed from it, not from
        # the rig command's start-up before it.
        t0 = fault_moment(fault()) or t0
        p.wait_for(steady(after, lambda: t0), max_s, "%s to serve after %s" % (after, name))
    finally:
        rows = p.finish()
        rig.two_holders[name] = sampler.finish()
    return t0, rows


class HbMilestones:
    """Where hb's journal entries put each measurement's milestones."""
    tag = ""
    cold_max_s = 30
    slow_before_s = 15
    poweroff_settle_s = 0.0  # hb has no start-up window with another deadtime
    keep_journals = False  # hb's parts are in its results already

    acquisition = staticmethod(acquisition)

    @staticmethod
    def released_on_stop(j1, t0):
        return find(j1, "released ", t0)[0]

    @staticmethod
    def failback_release(j2, t0):
        return find(j2, "releasing ", t0)[0], find(j2, "released ", t0)[0]

    @staticmethod
    def declared_dead(j2, t0):
        return find(j2, "node ha1: is dead", t0, SYSLOG_IDENTIFIER="hb-membershipd")[0]


def since(a, b):
    """b - a, or None when either milestone was not found."""
    return (b - a) if (a and b) else None


def cold_result(ms, rig, rows, t0):
    t_acq, parts, t_done = ms.acquisition(rig.journal("ha1", t0 - 1), t0)
    page = first_page(rows, t0, "ha1")
    return dict(total=page - t0, detect=since(t0, t_acq), net=since(t_done, page), **parts)


# A move's systemd jobs, as systemd logs them: (unit, first line, last line). The address is a
# unit of hb's only (keepalived adds it itself; heartbeat runs IPaddr outside systemd).
RELEASE_JOBS = [("apache2.service", "Stopping apache2", "Stopped apache2"),
                ("ha.mount", "Unmounting ha.mount", "Unmounted ha.mount"),
                ("hb-ipaddr@192.0.2.10.service", "Stopping hb-ipaddr@", "Stopped hb-ipaddr@")]
ACQUIRE_JOBS = [("hb-ipaddr@192.0.2.10.service", "Starting hb-ipaddr@", "Finished hb-ipaddr@"),
                ("ha.mount", "Mounting ha.mount", "Mounted ha.mount"),
                ("apache2.service", "Starting apache2", "Started apache2")]


def job_time(entries, t0, begin, end):
    """Seconds from the first BEGIN line after T0 to the END line after it, or None."""
    t_begin = next((t for t, m in entries if t >= t0 and m.startswith(begin)), None)
    if t_begin is None:
        return None
    return next((t - t_begin for t, m in entries if t >= t_begin and m.startswith(end)), None)


def move_jobs(rig, old, new, t0):
    """Of a move OLD -> NEW after T0, from PID 1's lines in both journals:
    apache_jobs  Apache's stop job on OLD plus its start job on NEW. A move that keeps
                 stop-before-start cannot leave the site without a page for less: the old Apache
                 must be gone before the disk moves, and the new one needs the disk.
    unit_jobs    the six jobs of an hb move (Apache, the mount, the address; stop, then start):
                 the rest of the move is hb's own (its messages and decisions, its calls to
                 systemd and systemd's time to begin each job) and the network.
    None where a line is missing (keepalived's notify script does not always run its stop)."""
    units = sorted({u for u, _, _ in RELEASE_JOBS + ACQUIRE_JOBS})
    logs = {n: rig.unit_journal(n, t0 - 1, units) for n in (old, new)}
    stops = {u: job_time(logs[old], t0, b, e) for u, b, e in RELEASE_JOBS}
    starts = {u: job_time(logs[new], t0, b, e) for u, b, e in ACQUIRE_JOBS}
    apache = (stops["apache2.service"], starts["apache2.service"])
    every = list(stops.values()) + list(starts.values())
    return dict(apache_jobs=sum(apache) if None not in apache else None,
                unit_jobs=sum(every) if None not in every else None)


def stop_result(ms, rig, rows, t0):
    t_rel = ms.released_on_stop(rig.journal("ha1", t0 - 1), t0)
    t_acq, parts, t_done = ms.acquisition(rig.journal("ha2", t0 - 1), t0)
    page = first_page(rows, t0, "ha2")
    return dict(total=page - t0, release=since(t0, t_rel), notice=since(t_rel, t_acq),
                net=since(t_done, page), **move_jobs(rig, "ha1", "ha2", t0), **parts)


def failback_result(ms, rig, rows, t0):
    t_rel0, t_rel = ms.failback_release(rig.journal("ha2", t0 - 1), t0)
    t_acq, parts, t_done = ms.acquisition(rig.journal("ha1", t0 - 1), t0)
    f1 = first_page(rows, t0, "ha1")
    last2 = max([e for s, e, w in rows if w == "ha2" and e <= f1] or [t0])
    failed = sum(1 for s, e, w in rows if w != "ha1" and w != "ha2" and t0 <= s and e <= f1)
    return dict(gap=f1 - last2, failed=failed, total=f1 - t0, startup=since(t0, t_rel0),
                release=since(t_rel0, t_rel), notice=since(t_rel, t_acq),
                net=since(t_done, f1), **move_jobs(rig, "ha2", "ha1", t0), **parts)


def poweroff_result(ms, rig, rows, t0):
    j2 = rig.journal("ha2", t0 - 1)
    t_dead = ms.declared_dead(j2, t0)
    t_acq, parts, t_done = ms.acquisition(j2, t0)
    page = first_page(rows, t0, "ha2")
    failed = sum(1 for s, e, w in rows if w not in ("ha1", "ha2") and t0 <= s and e <= page)
    return dict(total=page - t0, detect=since(t0, t_dead), react=since(t_dead, t_acq),
                net=since(t_done, page), failed=failed, **parts)


def sampled(result, rig, name):
    """Adds the measurement's two-holder samples to its result."""
    result["two_mounts"], result["two_ips"] = rig.two_holders.get(name, (None, None))


def run_fast(build_dir, workdir, i, stack="hb", timings=None):
    """The four measurements (d), (b), (c), (a) on one fresh rig of STACK."""
    ms = MILESTONES[stack]
    res = {}
    rig = Rig(build_dir, False, "manual", stack, timings)
    if ms.keep_journals:
        rig.logdir = workdir
    log("run %d: %srig %s up (not started)" % (i, ms.tag and ms.tag + " ", rig.run))

    def name(what):
        return "r%d-%s%s" % (i, ms.tag and ms.tag + "-", what)

    try:
        # (d) cold start of both nodes (heartbeat: each waits RQSTDELAY, 10 s, for the other).
        def start_both():
            procs = [rig.popen("hb-start", "ha1"), rig.popen("hb-start", "ha2")]
            for pr in procs:
                pr.wait(timeout=60)

        t0, rows = measure(rig, workdir, name("cold"), start_both, None, "ha1", ms.cold_max_s)
        res["cold"] = cold_result(ms, rig, rows, t0)
        sampled(res["cold"], rig, name("cold"))

        # (b) clean stop of the holder.
        t0, rows = measure(rig, workdir, name("stop"), lambda: rig("hb-stop", "ha1"), "ha1",
                           "ha2", 30)
        res["stop"] = stop_result(ms, rig, rows, t0)
        sampled(res["stop"], rig, name("stop"))

        # (c) failback to ha1 (auto_failback on).
        t0, rows = measure(rig, workdir, name("failback"), lambda: rig("hb-start", "ha1"),
                           "ha2", "ha1", 30)
        res["failback"] = failback_result(ms, rig, rows, t0)
        sampled(res["failback"], rig, name("failback"))

        # (a) hard power-off of the holder, once its start-up window (if any) has passed.
        time.sleep(max(0.0, t0 + ms.poweroff_settle_s - time.time()))
        t0, rows = measure(rig, workdir, name("poweroff"), lambda: rig("poweroff", "ha1"),
                           "ha1", "ha2", 30)
        res["poweroff"] = poweroff_result(ms, rig, rows, t0)
        sampled(res["poweroff"], rig, name("poweroff"))
    except (Failed, subprocess.TimeoutExpired):
        rig.save_journals(workdir, name("failed"))
        raise
    finally:
        rig.down()
    return res


def run_slow(build_dir, workdir, i, stack="hb", timings=None):
    ms = MILESTONES[stack]
    rig = Rig(build_dir, True, "auto", stack, timings)
    log("run %d: %srig %s up (seed timings)" % (i, ms.tag and ms.tag + " ", rig.run))
    name = "r%d-%sslow-poweroff" % (i, ms.tag and ms.tag + "-")
    try:
        # ha1 takes the group at start (heartbeat: ~10 s after both start, its RQSTDELAY); wait
        # (bounded) for it before cutting its power.
        t0, rows = measure(rig, workdir, name, lambda: rig("poweroff", "ha1"), "ha1", "ha2", 150,
                           before_s=ms.slow_before_s)
        res = {"poweroff": poweroff_result(ms, rig, rows, t0)}
        sampled(res["poweroff"], rig, name)
        return res
    finally:
        rig.down()


# --- heartbeat 3.0.6 (rig up --stack heartbeat): the split from its syslog lines -----------------

def msg_find(entries, after, pred):
    """Time of the first entry at or after AFTER whose (identifier, message) satisfies PRED."""
    for t, ident, j in entries:
        if t >= after and pred(ident, j.get("MESSAGE", "")):
            return t
    return None


def hb3_acquisition(entries, after):
    """The group's start by heartbeat's ResourceManager after AFTER: start time, per-kind
    durations (s), end time (systemd's "Started apache2.service")."""
    t_acq = msg_find(entries, after, lambda i, m: i.startswith("ResourceManager")
                     and "Acquiring resource group" in m)
    if t_acq is None:
        return None, {}, None
    parts, t_done = {}, None
    for kind, script in (("ip", "/IPaddr "), ("mount", "/Filesystem ")):
        t_run = msg_find(entries, t_acq, lambda i, m, s=script: i.startswith("ResourceManager")
                         and "Running " in m and s in m and m.rstrip().endswith(" start"))
        agent = script.strip("/ ")
        t_ok = t_run and msg_find(entries, t_run, lambda i, m, a=agent: a in i and "Success" in m)
        if t_run and t_ok:
            parts[kind] = t_ok - t_run
    t_run = msg_find(entries, t_acq, lambda i, m: i.startswith("ResourceManager")
                     and "Running /etc/init.d/apache2" in m and m.rstrip().endswith(" start"))
    if t_run:
        t_done = msg_find(entries, t_run, lambda i, m: i == "systemd"
                          and m.startswith("Started apache2"))
        if t_done:
            parts["apache"] = t_done - t_run
    if t_done and len(parts) == 3:
        parts["rm"] = (t_done - t_acq) - sum(parts.values())
    return t_acq, parts, t_done


class Hb3Milestones:
    """Where heartbeat 3.0.6's syslog lines put each measurement's milestones."""
    tag = "heartbeat"
    cold_max_s = 40  # RQSTDELAY (10 s) + start-up
    slow_before_s = 40
    # For its first 5 s heartbeat advertises deadtime + 2 s to its peers (hb_add_deadtime(2000)
    # at start, popped by a 5 s timer): a power-off then is detected ~2 s late. (a) measures the
    # steady state: ha1 has run heartbeat for 6 s since the failback started it.
    poweroff_settle_s = 6.0
    keep_journals = True  # the split is read from log lines: keep them for a second look

    acquisition = staticmethod(hb3_acquisition)

    @staticmethod
    def released_on_stop(j1, t0):
        return msg_find(j1, t0, lambda i, m: i == "heartbeat"
                        and "All HA resources relinquished" in m)

    @staticmethod
    def failback_release(j2, t0):
        t_rel0 = msg_find(j2, t0, lambda i, m: i.startswith("ResourceManager")
                          and "Releasing resource group" in m)
        t_rel = msg_find(j2, t_rel0 or t0, lambda i, m: i == "heartbeat"
                         and "foreign HA resource release completed" in m)
        return t_rel0, t_rel

    @staticmethod
    def declared_dead(j2, t0):
        return msg_find(j2, t0, lambda i, m: i == "heartbeat" and "node ha1: is dead" in m)


# --- keepalived (rig up --stack keepalived): VRRP transitions and the notify script's lines ------

def keepalived_acquisition(entries, after):
    """The notify script's start of the group after AFTER: its "master: mount" line, the mount
    and Apache's start (s), and the end (its "master: apache started" line)."""
    t_acq = msg_find(entries, after, lambda i, m: i == "hb-rig-notify" and m == "master: mount")
    if t_acq is None:
        return None, {}, None
    t_mounted = msg_find(entries, t_acq, lambda i, m: i == "hb-rig-notify"
                         and m == "master: mounted")
    t_done = msg_find(entries, t_mounted or t_acq, lambda i, m: i == "hb-rig-notify"
                      and m == "master: apache started")
    parts = {}
    if t_mounted:
        parts["mount"] = t_mounted - t_acq
    if t_mounted and t_done:
        parts["apache"] = t_done - t_mounted
    return t_acq, parts, t_done


class KeepalivedMilestones:
    """Where keepalived's VRRP lines and the rig's notify script put each milestone. keepalived
    moves the address itself at the transition; the notify script then mounts and starts
    Apache, without waiting for the old master's release."""
    tag = "keepalived"
    cold_max_s = 30
    slow_before_s = 15
    poweroff_settle_s = 0.0
    keep_journals = True

    acquisition = staticmethod(keepalived_acquisition)

    @staticmethod
    def released_on_stop(j1, t0):
        return msg_find(j1, t0, lambda i, m: i == "hb-rig-notify" and m == "release: unmounted")

    @staticmethod
    def failback_release(j2, t0):
        t_rel0 = msg_find(j2, t0, lambda i, m: i == "Keepalived_vrrp"
                          and "Entering BACKUP STATE" in m)
        t_rel = msg_find(j2, t_rel0 or t0, lambda i, m: i == "hb-rig-notify"
                         and m == "release: unmounted")
        return t_rel0, t_rel

    @staticmethod
    def declared_dead(j2, t0):
        return msg_find(j2, t0, lambda i, m: i == "Keepalived_vrrp" and "Entering MASTER STATE" in m)


MILESTONES = {"hb": HbMilestones, "heartbeat": Hb3Milestones, "keepalived": KeepalivedMilestones}


COLUMNS = {
    "poweroff": ("(a) hard power-off -> page", ["detect", "react", "ip", "mount", "apache", "net"]),
    "stop": ("(b) clean hb stop -> page", ["release", "notice", "ip", "mount", "apache", "net"]),
    "failback": ("(c) failback (hb start ha1) -> page", ["startup", "release", "notice", "ip",
                                                         "mount", "apache", "net"]),
    "cold": ("(d) cold start both -> page", ["detect", "ip", "mount", "apache", "net"]),
}
# heartbeat's split has one more part: rm, ResourceManager's own time around the three starts.
COLUMNS_HB3 = {
    "poweroff": ("(a) hard power-off -> page", ["detect", "react", "ip", "mount", "apache", "rm",
                                               "net"]),
    "stop": ("(b) clean heartbeat stop -> page", ["release", "notice", "ip", "mount", "apache",
                                                   "rm", "net"]),
    "failback": ("(c) failback (start ha1) -> page", ["startup", "release", "notice", "ip",
                                                      "mount", "apache", "rm", "net"]),
    "cold": ("(d) cold start both -> page", ["detect", "ip", "mount", "apache", "rm", "net"]),
}
# keepalived's split: detect = the backup's MASTER transition, react = -> the notify script's mount.
COLUMNS_KEEPALIVED = {
    "poweroff": ("(a) hard power-off -> page", ["detect", "react", "mount", "apache", "net"]),
    "stop": ("(b) clean keepalived stop -> page", ["release", "notice", "mount", "apache", "net"]),
    "failback": ("(c) failback (start ha1) -> page", ["startup", "release", "notice", "mount",
                                                      "apache", "net"]),
    "cold": ("(d) cold start both -> page", ["detect", "mount", "apache", "net"]),
}
STACK_COLUMNS = {"hb": COLUMNS, "heartbeat": COLUMNS_HB3, "keepalived": COLUMNS_KEEPALIVED}
STACK_NAMES = {"hb": "hb", "heartbeat": "heartbeat 3.0.6", "keepalived": "keepalived 2.2.7"}
RIG_INFO = {}  # per stack, its first rig's `rig info` (its timings)


def time_ms(text):
    """heartbeat's time syntax (a number is seconds; "ms"/"msec" suffixes), in whole ms."""
    t = text.strip()
    for suffix, scale in (("msec", 1), ("ms", 1), ("usec", 0.001), ("us", 0.001)):
        if t.endswith(suffix):
            return int(round(float(t[:-len(suffix)]) * scale))
    return int(round(float(t) * 1000))


def fmt(vals, unit="s"):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "n/a"
    if unit == "n":
        return "%d / %g / %d" % (min(vals), statistics.median(vals), max(vals))
    return "%.3f / %.3f / %.3f" % (min(vals), statistics.median(vals), max(vals))


def timing_text(slow, stack="hb"):
    """The timings STACK's rigs ran with, as the table's header names them."""
    info = RIG_INFO.get(stack, {})
    ka, dt, wt, idd = (info.get(k) for k in ("KEEPALIVE", "DEADTIME", "WARNTIME", "INITDEAD"))
    if slow:
        if not ka or (ka, dt, idd) == ("2", "60", "120"):
            return "seed (keepalive 2, deadtime 60, initdead 120)"
        return "seed, overridden (keepalive %s, deadtime %s, warntime %s, initdead %s)" % (
            ka, dt, wt, idd)
    if not ka:
        ka, dt, wt, idd = "100ms", "1", "500ms", "2"
    return "fast (keepalive %s, deadtime %s, warntime %s, initdead %s)" % (ka, dt, wt, idd)


def table(results, slow, stack="hb"):
    lines = []
    n = len(results)
    columns = STACK_COLUMNS[stack]
    lines.append("%s failover benchmark, %d run(s), %s timings; min / median / max in seconds" %
                 (STACK_NAMES[stack], n, timing_text(slow, stack)))
    lines.append("%-42s %s" % ("measurement", "min / median / max"))
    lines.append("-" * 72)
    for key in ("poweroff", "stop", "failback", "cold"):
        rs = [r[key] for r in results if key in r]
        if not rs:
            continue
        title, split = columns[key]
        lines.append("%-42s %s" % (title, fmt([r["total"] for r in rs])))
        if key == "failback":
            lines.append("%-42s %s" % ("    gap (last ha2 page -> first ha1 page)",
                                       fmt([r["gap"] for r in rs])))
            lines.append("%-42s %s" % ("    failed requests", fmt([r["failed"] for r in rs], "n")))
        if key == "poweroff":
            lines.append("%-42s %s" % ("    failed requests", fmt([r["failed"] for r in rs], "n")))
        for part in split:
            lines.append("%-42s %s" % ("    " + part, fmt([r.get(part) for r in rs])))
        if key in ("stop", "failback"):
            lines.append("%-42s %s" % ("    Apache's own stop + start (systemd)",
                                       fmt([r.get("apache_jobs") for r in rs])))
            if stack == "hb":
                lines.append("%-42s %s" % ("    the six systemd jobs, back to back",
                                           fmt([r.get("unit_jobs") for r in rs])))
        if any("two_mounts" in r for r in rs):
            lines.append("%-42s %s" % ("    20 ms samples with /ha on two nodes",
                                       fmt([r.get("two_mounts") for r in rs], "n")))
            lines.append("%-42s %s" % ("    20 ms samples with the IP on two nodes",
                                       fmt([r.get("two_ips") for r in rs], "n")))
    lines.append("-" * 72)
    if stack == "keepalived":
        lines.append("detect: (a) fault -> ha2's 'Entering MASTER STATE'; (d) start -> ha1's notify "
                     "'master: mount'; react: MASTER -> notify 'master: mount'")
        lines.append("release: (b) command -> ha1's notify 'release: unmounted'; startup: (c) start "
                     "on ha1 -> ha2 'Entering BACKUP STATE'")
        lines.append("notice: released -> peer's 'master: mount' (negative: it mounted before the "
                     "other let go); mount/apache: the notify script's own lines")
        lines.append("net: notify 'master: apache started' -> first page at the client")
    elif stack == "hb":
        lines.append("detect: (a) fault -> ha2's hb-membershipd 'node ha1: is dead'; (d) hb start -> "
                     "ha1 starts acquiring")
        lines.append("react: 'is dead' -> ha2's hb-resourced starts acquiring; release: (b) command "
                     "-> holder's 'released'")
        lines.append("startup: (c) hb start on ha1 -> ha2 starts releasing; release: (c) ha2's "
                     "'releasing' -> 'released'")
        lines.append("notice: 'released' -> peer starts acquiring; ip/mount/apache: HB_DURATION_MS "
                     "of each start")
        lines.append("net: peer's 'acquired' -> first page at the client (ARP, TCP, 20 ms poll tick)")
    else:
        lines.append("from heartbeat's syslog lines (journald receive times, ~ms; approximate):")
        lines.append("detect: (a) fault -> ha2's heartbeat 'node ha1: is dead'; (d) start -> ha1's "
                     "ResourceManager 'Acquiring resource group'")
        lines.append("react: 'is dead' -> ha2 'Acquiring resource group' (mach_down); release: (b) "
                     "command -> ha1 'All HA resources relinquished'")
        lines.append("startup: (c) start on ha1 -> ha2 'Releasing resource group'; release: (c) -> "
                     "ha2 'foreign HA resource release completed'")
        lines.append("notice: released -> peer 'Acquiring resource group'; ip/mount: 'Running "
                     "IPaddr|Filesystem .. start' -> agent's 'Success'")
        lines.append("apache: 'Running /etc/init.d/apache2 start' -> systemd 'Started apache2'; rm: "
                     "the rest (a status probe before each start)")
        lines.append("net: 'Started apache2' -> first page at the client (ARP, TCP, 20 ms poll tick)")
    return "\n".join(lines)


def side_by_side(by_stack, slow):
    """One row per stack: (a)..(d) min / median / max, then the medians of each split."""
    stacks = [st for st in ("hb", "heartbeat", "keepalived") if st in by_stack]
    runs = ", ".join("%s %d" % (STACK_NAMES[st], len(by_stack[st])) for st in stacks)
    lines = ["side by side (runs alternated: %s); min / median / max in seconds" % runs]
    lines += ["  %s: %s timings" % (STACK_NAMES[st], timing_text(slow, st)) for st in stacks]
    heads = ["(a) power-off -> page", "(b) clean stop -> page",
             "(c) failback gap (failed requests)", "(d) cold start -> page"]
    widths = [24, 24, 37, 26]
    lines.append("%-18s" % "stack" + "".join("%-*s" % (w, h) for w, h in zip(widths, heads)))
    lines.append("-" * (18 + sum(widths)))
    for st in stacks:
        rs = by_stack[st]

        def col(key, field="total"):
            return fmt([r[key][field] for r in rs if key in r]) if any(key in r for r in rs) else "-"

        fb = col("failback", "gap")
        if fb != "-":
            fb += " (%s)" % fmt([r["failback"]["failed"] for r in rs if "failback" in r], "n")
        cells = [col("poweroff"), col("stop"), fb, col("cold")]
        lines.append("%-18s" % STACK_NAMES[st] + "".join("%-*s" % (w, c) for w, c in zip(widths, cells)))
    lines.append("-" * (18 + sum(widths)))
    lines.append("split, medians in seconds (the parts are the stacks' own log milestones; see "
                 "each stack's table above):")
    for key in ("poweroff", "stop", "failback", "cold"):
        for st in stacks:
            rs = [r[key] for r in by_stack[st] if key in r]
            if not rs:
                continue
            title, split = STACK_COLUMNS[st][key]
            parts = []
            for part in split:
                vals = [r.get(part) for r in rs if r.get(part) is not None]
                if vals:
                    parts.append("%s %.3f" % (part, statistics.median(vals)))
            lines.append("  %-4s %-16s %s" % (title[:3], STACK_NAMES[st], " + ".join(parts) or "n/a"))
    lines.append("systemd's own job times in (b) and (c), medians: Apache's stop (old node) + start "
                 "(new node), the least an ordered move can take; for hb also all six jobs")
    for key in ("stop", "failback"):
        for st in stacks:
            rs = [r[key] for r in by_stack[st] if key in r]
            cells = []
            for field, what in (("apache_jobs", "Apache"), ("unit_jobs", "six jobs")):
                vals = [r.get(field) for r in rs if r.get(field) is not None]
                if vals:
                    cells.append("%s %.3f (%d of %d runs)" % (what, statistics.median(vals),
                                                               len(vals), len(rs)))
            if cells:
                lines.append("  %-4s %-16s %s" % (STACK_COLUMNS[st][key][0][:3], STACK_NAMES[st],
                                                  ", ".join(cells)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.environ.get("HB_BUILD_DIR", os.path.join(SRC, "build")))
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--slow", action="store_true")
    ap.add_argument("--stack", default="hb",
                    help="hb, heartbeat, keepalived, a comma-separated list of them, both (hb and "
                    "heartbeat) or all")
    ap.add_argument("--advert", help="keepalived's advert_int (heartbeat time syntax, e.g. 50ms; "
                    "default: --keepalive)")
    ap.add_argument("--keepalive", help="rig up --keepalive (heartbeat syntax, e.g. 100ms)")
    ap.add_argument("--deadtime", help="rig up --deadtime (heartbeat syntax, e.g. 1)")
    ap.add_argument("--heartbeat-timings", metavar="KEEPALIVE/DEADTIME",
                    help="heartbeat 3.0.6's own keepalive/deadtime (e.g. 200ms/1), so the three "
                    "stacks can each run at their fastest in one run (default: --keepalive and "
                    "--deadtime)")
    ap.add_argument("--out", default=None, help="directory for the poll logs and results.json")
    a = ap.parse_args()
    runs = a.runs if a.runs is not None else (1 if a.slow else 5)
    stacks = {"both": ["hb", "heartbeat"], "all": ["hb", "heartbeat", "keepalived"]}.get(
        a.stack, a.stack.split(","))
    if any(st not in MILESTONES for st in stacks):
        ap.error("--stack: hb, heartbeat, keepalived, a list of them, both or all")
    timings = {k: v for k, v in (("keepalive", a.keepalive), ("deadtime", a.deadtime)) if v}
    stack_timings = {st: timings for st in stacks}
    if a.advert and "keepalived" in stacks:
        # The rig's --keepalive is keepalived's advert_int; its deadtime only has to satisfy the
        # rig's rule (more than 2 x keepalive), keepalived does not read it.
        ms = time_ms(a.advert)
        stack_timings["keepalived"] = {"keepalive": "%dms" % ms, "deadtime": "%dms" % (4 * ms)}
    if a.heartbeat_timings and "heartbeat" in stacks:
        ka, slash, dt = a.heartbeat_timings.partition("/")
        if not slash or not ka or not dt:
            ap.error("--heartbeat-timings: KEEPALIVE/DEADTIME, e.g. 200ms/1")
        stack_timings["heartbeat"] = {"keepalive": ka, "deadtime": dt}
    if os.geteuid() != 0:
        print("failbench: needs root (the rig); skipped")
        return 77
    workdir = a.out or tempfile.mkdtemp(prefix="hb-failbench-")
    os.makedirs(workdir, exist_ok=True)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally blocks: rig down

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    results = {st: [] for st in stacks}
    all_runs, errors = [], []
    for i in range(1, runs + 1):
        for st in stacks:  # alternating: both stacks see the same stretch of machine noise
            label = "run %d" % i if a.stack == "hb" else "run %d (%s)" % (i, st)
            try:
                r = (run_slow if a.slow else run_fast)(a.build_dir, workdir, i, st,
                                                       stack_timings[st])
                results[st].append(r)
                all_runs.append(dict(stack=st, run=i, **r))
                rounded = {k: {p: round(v, 4) if isinstance(v, float) else v for p, v in m.items()}
                           for k, m in r.items()}
                log("%s: %s" % (label, json.dumps(rounded, sort_keys=True)))
            except (Failed, subprocess.TimeoutExpired) as e:
                errors.append("%s: %s" % (label, e))
                log("%s FAILED: %s" % (label, e))
    with open(os.path.join(workdir, "results.json"), "w") as f:
        json.dump({"slow": a.slow, "stack": a.stack, "timings": {
            st: {k: RIG_INFO.get(st, {}).get(k.upper())
                 for k in ("keepalive", "deadtime", "warntime", "initdead")} for st in stacks},
            "runs": all_runs, "errors": errors}, f, indent=1)
    if a.stack == "hb":
        print(table(results["hb"], a.slow))
    else:
        for st in stacks:
            print(table(results[st], a.slow, st))
            print()
        if len(stacks) > 1:
            print(side_by_side(results, a.slow))
    for e in errors:
        print("error: " + e)
    print("poll logs and results.json in " + workdir)
    return 1 if errors or not all_runs else 0


if __name__ == "__main__":
    sys.exit(main())
