#!/usr/bin/env python3
"""What hb costs a node at rest (issue 20): the seed's pair on the rig (keepalive 100 ms, bcast
and the serial cable, the ping node with ipfail, hb-statusd serving), left idle; then, on each
node, every hb daemon's proportional set size (Pss, from /proc/PID/smaps_rollup: shared pages
counted by share, so the sum is what the daemons really occupy) and its CPU over a window (the
unit's cgroup CPUUsageNSec, so a daemon's helpers count too).

    bench/idle/idle_cost.py --build-dir build [--settle 60] [--window 60] [--keepalive 100ms]
                            [--out DIR]

Prints a table per node and the sums; writes results.json to --out (default a new
/tmp/hb-idlebench-* dir). Exit 77 without root.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "bench"))
from rig_calls import out_dir, rig, rig_up, serves, wait_until  # noqa: E402

UNITS = ["hb-linkd", "hb-membershipd", "hb-resourced", "ipfaild", "hb-statusd", "hb-log"]


def log(msg):
    print("idlebench: " + msg, file=sys.stderr, flush=True)


def unit_facts(run, node, unit):
    """(main pid, CPUUsageNSec, ActiveState) of UNIT in NODE."""
    out = rig(run, "exec", node, "systemctl", "show", "-p", "MainPID", "-p", "CPUUsageNSec", "-p",
              "ActiveState", unit + ".service", check=False)
    facts = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    cpu = facts.get("CPUUsageNSec", "")
    return (int(facts.get("MainPID", "0") or 0), int(cpu) if cpu.isdigit() else None,
            facts.get("ActiveState", "?"))


def pss_kib(run, node, pid):
    out = rig(run, "exec", node, "cat", f"/proc/{pid}/smaps_rollup", check=False)
    for line in out.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.environ.get("HB_BUILD_DIR", os.path.join(SRC, "build")))
    ap.add_argument("--settle", type=float, default=60, help="idle seconds before measuring")
    ap.add_argument("--window", type=float, default=60, help="seconds of CPU accounting")
    ap.add_argument("--keepalive", default="100ms")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (the rig boots systemd-nspawn nodes)")
        return 77
    out = out_dir(a.out, "hb-idlebench-")
    run = None
    try:
        run = rig_up("--build-dir", a.build_dir, "--serial", "--keepalive", a.keepalive)
        wait_until(lambda: serves(run, "ha1"), 20, "ha1 serves the site")
        log(f"rig {run} up (keepalive {a.keepalive}, bcast + serial, ping node, ipfail); "
            f"idle {a.settle:.0f} s")
        time.sleep(a.settle)
        first = {n: {u: unit_facts(run, n, u) for u in UNITS} for n in ("ha1", "ha2")}
        t0 = time.monotonic()
        time.sleep(a.window)
        second = {n: {u: unit_facts(run, n, u) for u in UNITS} for n in ("ha1", "ha2")}
        elapsed = time.monotonic() - t0
        result = {"keepalive": a.keepalive, "settle_s": a.settle, "window_s": elapsed,
                  "nodes": {}}
        for node in ("ha1", "ha2"):
            rows = {}
            for u in UNITS:
                pid, cpu0, state = first[node][u]
                pid2, cpu1, _ = second[node][u]
                if state != "active" or not pid:
                    continue
                cpu = (100.0 * (cpu1 - cpu0) / 1e9 / elapsed
                       if cpu0 is not None and cpu1 is not None and pid == pid2 else None)
                rows[u] = {"pid": pid, "pss_kib": pss_kib(run, node, pid), "cpu_percent": cpu}
            result["nodes"][node] = rows
            total_pss = sum(r["pss_kib"] or 0 for r in rows.values())
            total_cpu = sum(r["cpu_percent"] or 0 for r in rows.values())
            print(f"{node}: {'daemon':<16} {'Pss KiB':>8} {'CPU %':>7}")
            for u, r in rows.items():
                c = "n/a" if r["cpu_percent"] is None else "%.3f" % r["cpu_percent"]
                print(f"      {u:<16} {r['pss_kib'] or 0:>8} {c:>7}")
            print(f"      {'sum':<16} {total_pss:>8} {total_cpu:>7.3f}   "
                  f"({total_pss / 1024:.2f} MiB, {total_cpu:.3f} % of one core)")
            result["nodes"][node]["_sum"] = {"pss_kib": total_pss, "cpu_percent": total_cpu}
        with open(os.path.join(out, "results.json"), "w") as f:
            json.dump(result, f, indent=1)
        print(f"results.json in {out}")
        return 0
    finally:
        if run:
            rig(run, "down", check=False, timeout=120)


if __name__ == "__main__":
    sys.exit(main())
