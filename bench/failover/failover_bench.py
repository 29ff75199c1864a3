#!/usr/bin/env python3
"""Failover benchmark of hb-resourced on the rig (issue 6, "Benchmark").

From the rig's client namespace a poller (poll.py) fetches http://192.0.2.10/hostname.html every
20 ms; the page names the node that served it. Each run boots a fresh two-node rig and measures:

  (d) cold start:  `rig up --hb manual`, then hb.target started on both nodes at once -> first page
  (b) clean stop:  `rig hb-stop ha1` (the holder)                        -> first page from ha2
  (c) failback:    `rig hb-start ha1` after (b) (auto_failback on)       -> time without a page
                   (last ha2 page -> first ha1 page) and the number of failed requests
  (a) power-off:   `rig poweroff ha1` (kill -9 of its init, cables down) -> first page from ha2

"-> first page" is from just before the rig command is run to the moment the first answer from
the new node arrives at the client. Each failover is split, from the nodes' journals (read right
after each measurement), into:
  detect   fault -> the survivor's hb-membershipd declares ha1 dead (a) / ha1 has released (b:
           "release", then "notice" = released -> the survivor starts acquiring) / hb start ->
           the preferred node starts acquiring (c, d: daemons' start-up and the hand-over)
  ip, mount, apache   the time hb-resourced logged for starting each resource (HB_DURATION_MS)
  net      "acquired" entry -> first page at the client (gratuitous ARP, TCP, the poller's tick)

  --slow   the seed's timings (keepalive 2, deadtime 60, initdead 120): only (a) is measured
           (the others do not depend on deadtime) and --runs defaults to 1 (a run lasts ~70 s).

Usage: failover_bench.py [--build-dir DIR] [--runs N] [--slow] [--out DIR]
Every wait is bounded; the rig is always taken down (also on error, SIGINT and SIGTERM).
"""
import argparse
import json
import os
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


class Failed(Exception):
    pass


def log(msg):
    print("failbench: " + msg, file=sys.stderr, flush=True)


class Rig:
    def __init__(self, build_dir, slow, hb_mode):
        args = [RIG, "up", "--build-dir", build_dir, "--hb", hb_mode] + (["--slow"] if slow else [])
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=300)
        if p.returncode != 0:
            raise Failed("rig up failed: " + p.stderr.strip()[-500:])
        self.run = p.stdout.strip().splitlines()[-1]

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

    def journal(self, node, since):
        """hb's entries in NODE's journal since SINCE (epoch s), as (time, identifier, fields)."""
        out = self("exec", node, "journalctl", "-o", "json", "--no-pager",
                   "--since", "@%.6f" % since, timeout=30, check=False)
        entries = []
        for line in out.splitlines():
            try:
                j = json.loads(line)
            except ValueError:
                continue
            ident = j.get("SYSLOG_IDENTIFIER", "")
            if ident in ("hb-resourced", "hb-membershipd"):
                entries.append((int(j["__REALTIME_TIMESTAMP"]) / 1e6, ident, j))
        return entries


class Poller:
    """One poll.py process in the client namespace for one measurement."""

    def __init__(self, rig, workdir, name, max_s):
        self.log = os.path.join(workdir, name + ".log")
        self.stop = os.path.join(workdir, name + ".stop")
        self.proc = rig.popen("client", "python3", POLL, self.log, self.stop, str(max_s))

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
            if pred(self.rows()):
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
        return self.rows()


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


def measure(rig, workdir, name, fault, before, after, max_s):
    """Start a poller, wait until BEFORE serves (or, for None, a few failed requests), run FAULT,
    wait until AFTER serves steadily. Returns (t0, rows)."""
    p = Poller(rig, workdir, name, max_s + 15)
    try:
        if before is None:
            p.wait_for(lambda r: len(r) >= 5, 10, "the poller to start")
        else:
            p.wait_for(lambda r: sum(1 for x in r if x[2] == before) >= 5, 15,
                       "%s to serve before %s" % (before, name))
        t0 = time.time()
        fault()
        p.wait_for(steady(after, lambda: t0), max_s, "%s to serve after %s" % (after, name))
    finally:
        rows = p.finish()
    return t0, rows


def run_fast(build_dir, workdir, i):
    res = {}
    rig = Rig(build_dir, False, "manual")
    log("run %d: rig %s up (hb.target not started)" % (i, rig.run))
    try:
        # (d) cold start of both nodes.
        def start_both():
            procs = [rig.popen("hb-start", "ha1"), rig.popen("hb-start", "ha2")]
            for pr in procs:
                pr.wait(timeout=60)

        t0, rows = measure(rig, workdir, "r%d-cold" % i, start_both, None, "ha1", 30)
        j1 = rig.journal("ha1", t0 - 1)
        t_acq, parts, t_done = acquisition(j1, t0)
        page = first_page(rows, t0, "ha1")
        res["cold"] = dict(total=page - t0, detect=(t_acq - t0) if t_acq else None,
                           net=(page - t_done) if t_done else None, **parts)

        # (b) clean stop of the holder.
        t0, rows = measure(rig, workdir, "r%d-stop" % i, lambda: rig("hb-stop", "ha1"), "ha1",
                           "ha2", 30)
        j1, j2 = rig.journal("ha1", t0 - 1), rig.journal("ha2", t0 - 1)
        t_rel, _ = find(j1, "released ", t0)
        t_acq, parts, t_done = acquisition(j2, t0)
        page = first_page(rows, t0, "ha2")
        res["stop"] = dict(total=page - t0, release=(t_rel - t0) if t_rel else None,
                           notice=(t_acq - t_rel) if (t_acq and t_rel) else None,
                           net=(page - t_done) if t_done else None, **parts)

        # (c) failback to ha1.
        t0, rows = measure(rig, workdir, "r%d-failback" % i, lambda: rig("hb-start", "ha1"),
                           "ha2", "ha1", 30)
        j1, j2 = rig.journal("ha1", t0 - 1), rig.journal("ha2", t0 - 1)
        t_rel0, _ = find(j2, "releasing ", t0)
        t_rel, _ = find(j2, "released ", t0)
        t_acq, parts, t_done = acquisition(j1, t0)
        f1 = first_page(rows, t0, "ha1")
        last2 = max([e for s, e, w in rows if w == "ha2" and e <= f1] or [t0])
        failed = sum(1 for s, e, w in rows if w != "ha1" and w != "ha2" and t0 <= s and e <= f1)
        res["failback"] = dict(gap=f1 - last2, failed=failed, total=f1 - t0,
                               startup=(t_rel0 - t0) if t_rel0 else None,
                               release=(t_rel - t_rel0) if (t_rel and t_rel0) else None,
                               notice=(t_acq - t_rel) if (t_acq and t_rel) else None,
                               net=(f1 - t_done) if t_done else None, **parts)

        # (a) hard power-off of the holder.
        t0, rows = measure(rig, workdir, "r%d-poweroff" % i, lambda: rig("poweroff", "ha1"),
                           "ha1", "ha2", 30)
        res["poweroff"] = poweroff_split(rig, rows, t0)
    finally:
        rig.down()
    return res


def poweroff_split(rig, rows, t0):
    j2 = rig.journal("ha2", t0 - 1)
    t_dead, _ = find(j2, "node ha1: is dead", t0, SYSLOG_IDENTIFIER="hb-membershipd")
    t_acq, parts, t_done = acquisition(j2, t0)
    page = first_page(rows, t0, "ha2")
    failed = sum(1 for s, e, w in rows if w not in ("ha1", "ha2") and t0 <= s and e <= page)
    return dict(total=page - t0, detect=(t_dead - t0) if t_dead else None,
                react=(t_acq - t_dead) if (t_acq and t_dead) else None,
                net=(page - t_done) if t_done else None, failed=failed, **parts)


def run_slow(build_dir, workdir, i):
    rig = Rig(build_dir, True, "auto")
    log("run %d: rig %s up (seed timings)" % (i, rig.run))
    try:
        # ha1 takes the group at start; wait (bounded) for it before cutting its power.
        t0, rows = measure(rig, workdir, "r%d-slow-poweroff" % i, lambda: rig("poweroff", "ha1"),
                           "ha1", "ha2", 150)
        return {"poweroff": poweroff_split(rig, rows, t0)}
    finally:
        rig.down()


COLUMNS = {
    "poweroff": ("(a) hard power-off -> page", ["detect", "react", "ip", "mount", "apache", "net"]),
    "stop": ("(b) clean hb stop -> page", ["release", "notice", "ip", "mount", "apache", "net"]),
    "failback": ("(c) failback (hb start ha1) -> page", ["startup", "release", "notice", "ip",
                                                         "mount", "apache", "net"]),
    "cold": ("(d) cold start both -> page", ["detect", "ip", "mount", "apache", "net"]),
}


def fmt(vals, unit="s"):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "n/a"
    if unit == "n":
        return "%d / %g / %d" % (min(vals), statistics.median(vals), max(vals))
    return "%.3f / %.3f / %.3f" % (min(vals), statistics.median(vals), max(vals))


def table(results, slow):
    lines = []
    n = len(results)
    lines.append("hb failover benchmark, %d run(s), %s timings; min / median / max in seconds" %
                 (n, "seed (keepalive 2, deadtime 60, initdead 120)" if slow else
                  "fast (keepalive 100ms, deadtime 1, warntime 500ms, initdead 2)"))
    lines.append("%-42s %s" % ("measurement", "min / median / max"))
    lines.append("-" * 72)
    for key in ("poweroff", "stop", "failback", "cold"):
        rs = [r[key] for r in results if key in r]
        if not rs:
            continue
        title, split = COLUMNS[key]
        lines.append("%-42s %s" % (title, fmt([r["total"] for r in rs])))
        if key == "failback":
            lines.append("%-42s %s" % ("    gap (last ha2 page -> first ha1 page)",
                                       fmt([r["gap"] for r in rs])))
            lines.append("%-42s %s" % ("    failed requests", fmt([r["failed"] for r in rs], "n")))
        if key == "poweroff":
            lines.append("%-42s %s" % ("    failed requests", fmt([r["failed"] for r in rs], "n")))
        for part in split:
            lines.append("%-42s %s" % ("    " + part, fmt([r.get(part) for r in rs])))
    lines.append("-" * 72)
    lines.append("detect: (a) fault -> ha2's hb-membershipd 'node ha1: is dead'; (d) hb start -> "
                 "ha1 starts acquiring")
    lines.append("react: 'is dead' -> ha2's hb-resourced starts acquiring; release: (b) command "
                 "-> holder's 'released'")
    lines.append("startup: (c) hb start on ha1 -> ha2 starts releasing; release: (c) ha2's "
                 "'releasing' -> 'released'")
    lines.append("notice: 'released' -> peer starts acquiring; ip/mount/apache: HB_DURATION_MS "
                 "of each start")
    lines.append("net: peer's 'acquired' -> first page at the client (ARP, TCP, 20 ms poll tick)")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.environ.get("HB_BUILD_DIR", os.path.join(SRC, "build")))
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--slow", action="store_true")
    ap.add_argument("--out", default=None, help="directory for the poll logs and results.json")
    a = ap.parse_args()
    runs = a.runs if a.runs is not None else (1 if a.slow else 5)
    if os.geteuid() != 0:
        print("failbench: needs root (the rig); skipped")
        return 77
    workdir = a.out or tempfile.mkdtemp(prefix="hb-failbench-")
    os.makedirs(workdir, exist_ok=True)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally blocks: rig down

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    results, errors = [], []
    for i in range(1, runs + 1):
        try:
            r = (run_slow if a.slow else run_fast)(a.build_dir, workdir, i)
            results.append(r)
            rounded = {k: {p: round(v, 4) if isinstance(v, float) else v for p, v in m.items()}
                       for k, m in r.items()}
            log("run %d: %s" % (i, json.dumps(rounded, sort_keys=True)))
        except (Failed, subprocess.TimeoutExpired) as e:
            errors.append("run %d: %s" % (i, e))
            log("run %d FAILED: %s" % (i, e))
    with open(os.path.join(workdir, "results.json"), "w") as f:
        json.dump({"slow": a.slow, "runs": results, "errors": errors}, f, indent=1)
    print(table(results, a.slow))
    for e in errors:
        print("error: " + e)
    print("poll logs and results.json in " + workdir)
    return 1 if errors or not results else 0


if __name__ == "__main__":
    sys.exit(main())
