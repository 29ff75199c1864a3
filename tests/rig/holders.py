#!/usr/bin/env python3
"""Who holds the cluster's resources, read from the host without entering the nodes.

For each node of a rig run: does it have the cluster IP as a local address (its network
namespace's /proc/<init>/net/fib_trie) and a file system mounted on the mount point
(/proc/<init>/mounts)? A powered-off node holds nothing.

  holders.py STATE_DIR [--ip A] [--mount P]                   one line per node, then exit
  holders.py STATE_DIR --sample [--period S] [--max-seconds N] [--log FILE]
      samples until SIGTERM/SIGINT or N seconds; prints each change with its time, then a summary;
      exits 1 if at any sample two nodes held the IP or had the mount point mounted at once.
"""
import argparse
import os
import signal
import sys
import time


def nodes(state):
    base = os.path.join(state, "nodes")
    return sorted(os.listdir(base), key=lambda n: (len(n), n))


def init_pid(state, node):
    try:
        with open(os.path.join(state, "nodes", node, "init.pid")) as f:
            pid = int(f.read().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0
    return pid if pid > 0 and os.path.exists(f"/proc/{pid}") else 0


def holds_ip(pid, ip):
    try:
        with open(f"/proc/{pid}/net/fib_trie") as f:
            lines = f.read().splitlines()
    except OSError:
        return False
    needle = "-- " + ip
    for i, line in enumerate(lines):
        if line.strip().endswith(needle) or line.strip() == "|" + needle:
            if i + 1 < len(lines) and "/32 host LOCAL" in lines[i + 1]:
                return True
    return False


def has_mount(pid, mountpoint):
    try:
        with open(f"/proc/{pid}/mounts") as f:
            return any(l.split()[1] == mountpoint for l in f if len(l.split()) > 1)
    except OSError:
        return False


def snapshot(state, ip, mountpoint):
    snap = {}
    for n in nodes(state):
        pid = init_pid(state, n)
        if not pid:
            snap[n] = ("off", False, False)
        else:
            snap[n] = ("up", holds_ip(pid, ip), has_mount(pid, mountpoint))
    return snap


def describe(snap):
    parts = []
    for n, (power, ip, mnt) in snap.items():
        held = [x for x, h in (("ip", ip), ("mount", mnt)) if h]
        parts.append(f"{n}={'off' if power == 'off' else ('+'.join(held) or '-')}")
    return " ".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("state")
    ap.add_argument("--ip", default="192.0.2.10")
    ap.add_argument("--mount", default="/ha")
    ap.add_argument("--sample", action="store_true")
    ap.add_argument("--period", type=float, default=0.02)
    ap.add_argument("--max-seconds", type=float, default=1800)
    ap.add_argument("--log")
    a = ap.parse_args()

    if not a.sample:
        for n, (power, ip, mnt) in snapshot(a.state, a.ip, a.mount).items():
            print(f"{n} {power} ip={'yes' if ip else 'no'} mount={'yes' if mnt else 'no'}")
        return 0

    out = open(a.log, "a", buffering=1) if a.log else sys.stdout
    stop = {"now": False}
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: stop.__setitem__("now", True))
    t0 = time.monotonic()
    last = None
    samples = violations = 0
    max_gap = 0.0
    prev_t = t0
    while not stop["now"] and time.monotonic() - t0 < a.max_seconds:
        now = time.monotonic()
        snap = snapshot(a.state, a.ip, a.mount)
        samples += 1
        max_gap = max(max_gap, now - prev_t)
        prev_t = now
        ip_holders = [n for n, s in snap.items() if s[1]]
        mnt_holders = [n for n, s in snap.items() if s[2]]
        bad = len(ip_holders) > 1 or len(mnt_holders) > 1
        if bad:
            violations += 1
        line = describe(snap)
        if line != last or bad:
            flag = "  TWO HOLDERS" if bad else ""
            print(f"{now - t0:9.3f}s {line}{flag}", file=out)
            last = line
        time.sleep(max(0.0, a.period - (time.monotonic() - now)))
    print(f"samples={samples} max_gap_ms={max_gap * 1000:.0f} violations={violations}", file=out)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
