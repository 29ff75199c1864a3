#!/usr/bin/env python3
"""The outage of each fencing scenario, median of N runs (issue 15's figures): runs the cluster
and faults tests that fence (tests/cluster/fencing_*.sh, seed_poweroff.sh for comparison) N times
each and collects the figures they print, e.g. "standby -> first page again: 7.9 s".

    sudo bench/fencing/outages.py --build-dir build [--runs 5] [--only fencing-self,...]

fencing-data is run once with 10 cycles: its five power losses are its five samples. Prints a
table (median, min, max per figure) and writes results.json to --out (default a new
/tmp/hb-fencebench-* dir). Each test tears its rig down; a failed run is reported and skipped.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
TESTS = os.path.join(SRC, "tests", "cluster")

# scenario -> (script, [(figure name, regex with one group: seconds)])
SCENARIOS = {
    "seed-poweroff": ("seed_poweroff.sh", [
        ("power-off -> first page (no fencing)", r"power-off -> first page from ha2: ([\d.]+) s")]),
    "fencing-partition": ("fencing_partition.sh", [
        ("partition -> peer fenced (IPMI); site served throughout", r"partition -> ha2 fenced: ([\d.]+) s")]),
    "fencing-self": ("fencing_self.sh", [
        ("stop fails -> node off (self-fence)", r"standby -> ha1 off: ([\d.]+) s"),
        ("stop fails -> first page again", r"standby -> first page again: ([\d.]+) s")]),
    "fencing-unreachable": ("fencing_unreachable.sh", [
        ("power-off -> first failed fence", r"power-off -> first failed fence: ([\d.]+) s"),
        ("BMC back -> first page", r"BMC back -> first page from ha2: ([\d.]+) s")]),
    "fencing-disk": ("fencing_disk.sh", [
        ("partition -> peer off (pill read)", r"partition -> ha2 off: ([\d.]+) s"),
        ("partition -> peer fenced (pill + msgwait)", r"partition -> ha2 fenced \(pill \+ msgwait\): ([\d.]+) s"),
        ("pill -> holder off", r"pill -> ha1 off: ([\d.]+) s"),
        ("pill -> first page from the peer", r"pill -> first page from ha2: ([\d.]+) s")]),
    "fencing-watchdog": ("fencing_watchdog.sh", [
        ("hb-resourced hung -> node off (watchdog)", r"hang -> ha1 off \(watchdog\): ([\d.]+) s"),
        ("daemon hung -> first page again", r"hang -> first page again: ([\d.]+) s"),
        ("hb-linkd hung -> node off", r"hang -> ha1 off: ([\d.]+) s")]),
    "fencing-data": ("fencing_data.sh", [
        ("power loss -> site served again (per cycle)", r"cycle \d+: the site is served again \(([\d.]+) s\)")]),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.path.join(SRC, "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (the rig boots systemd-nspawn nodes)")
        return 77
    out = a.out or tempfile.mkdtemp(prefix="hb-fencebench-")
    os.makedirs(out, exist_ok=True)
    names = [n for n in SCENARIOS if not a.only or n in a.only.split(",")]
    samples = {}
    failed = []
    for name in names:
        script, figures = SCENARIOS[name]
        runs = 1 if name == "fencing-data" else a.runs
        env = dict(os.environ, HB_DATA_CYCLES="10")
        for i in range(runs):
            p = subprocess.run([os.path.join(TESTS, script), a.build_dir], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
            with open(os.path.join(out, f"{name}.{i + 1}.log"), "w") as f:
                f.write(p.stdout)
            if p.returncode != 0:
                failed.append(f"{name} run {i + 1} (exit {p.returncode})")
                print(f"fencebench: {name} run {i + 1} failed", file=sys.stderr, flush=True)
                continue
            for label, rx in figures:
                samples.setdefault((name, label), []).extend(
                    float(x) for x in re.findall(rx, p.stdout))
            print(f"fencebench: {name} run {i + 1} done", file=sys.stderr, flush=True)
    rows = []
    for (name, label), xs in samples.items():
        if xs:
            rows.append({"scenario": name, "figure": label, "n": len(xs),
                         "median_s": round(statistics.median(xs), 2), "min_s": min(xs),
                         "max_s": max(xs)})
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"rows": rows, "failed": failed}, f, indent=2)
    print("| scenario | figure | n | median | min | max |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['scenario']} | {r['figure']} | {r['n']} | {r['median_s']} s | "
              f"{r['min_s']} s | {r['max_s']} s |")
    for f in failed:
        print("failed: " + f)
    print("logs and results.json in " + out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
