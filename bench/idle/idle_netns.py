#!/usr/bin/env python3
"""What hb costs a node at rest, measured without the nspawn rig (issue 20): two nodes, each a
network namespace with its own private dbus-daemon running the real hb-linkd, hb-membershipd,
ipfaild and hb-statusd (tests/bus's netns rig), keepalive 100 ms, bcast on one LAN plus a serial
cable (a socat PTY pair), ha.cf's `realtime` on, a ping node (the rig's third namespace, whose
kernel answers echo requests). After --settle seconds idle it reads, per daemon:

  Pss, Rss, Private, Locked   /proc/PID/smaps_rollup, KiB
  CPU %                       all threads' time on a CPU (/proc/PID/task/*/schedstat) over
                              --window seconds, % of one core
  wakeups/s                   voluntary context switches of all threads over the window
  threads                     how many the process has

  idle_netns.py [--build-dir DIR] [--settle 60] [--window 20] [--realtime on|off]
                [--smaps N] [--perf SECONDS] [--out DIR]

--smaps N also prints each daemon's N largest mappings by Pss (smaps, summed per file).
--perf S records `perf record -g` of ha1's hb-linkd for S seconds after the window and prints
the top of `perf report`. hb-resourced (systemd's D-Bus API) and hb-log (the journal) are not
run: they need a booted systemd. Pss of libraries is shared between the two nodes here (same
files), so compare Rss too. Run it under `nice -n 15` on a shared machine (with realtime on,
hb-linkd and hb-membershipd are SCHED_RR and ignore nice, which costs nothing at rest).

Needs root (namespaces), iproute2, dbus-daemon, busctl, socat; exit 77 with the reason otherwise.
Every namespace, daemon, bus and temporary directory it makes is removed at the end.
"""
import argparse
import glob
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.setdefault("HB_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "bus", "membership"))
sys.path.insert(0, os.path.join(SRC, "tests", "bus", "linkd"))
sys.path.insert(0, os.path.join(SRC, "tests", "bus"))
import hbtest as hb  # noqa: E402
from hbtest import Failure, wait_until  # noqa: E402
import linkd_test as lt  # noqa: E402  (Rig: namespaces, bridge, buses, hb-linkd per node)
import e2e_test as e2e  # noqa: E402  (Membershipd: hb-membershipd on a node's bus)

PING_NODE = "192.0.2.13"  # the rig's third namespace ("evil") on LAN 0
IPFAIL_BUS, IPFAIL_ROOT = "io.github.hbcluster.ipfail1", "/io/github/hbcluster/ipfail1"
ROLLUP = ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Locked")


def ha_cf(names, realtime):
    def make(media):
        return ("keepalive 100ms\nwarntime 500ms\ndeadtime 1\ninitdead 2\ndeadping 1\n"
                f"udpport 694\nrealtime {realtime}\nauto_failback on\n" + media +
                f"ping {PING_NODE}\n" + "".join(f"node {n}\n" for n in names))
    return make


class Extra:
    """One more daemon in a node's namespace, on its bus (ipfaild, hb-statusd)."""

    def __init__(self, node, exe):
        self.name = os.path.basename(exe)
        self.log = os.path.join(node.tmp, self.name + ".log")
        env = hb.daemon_env(node.bus.address, drop=("NOTIFY_SOCKET", "WATCHDOG_PID",
                                                    "WATCHDOG_USEC"))
        self.proc = subprocess.Popen(["ip", "netns", "exec", node.ns, exe, "--config-dir",
                                      node.confdir, "--node", node.name],
                                     env=env, stderr=open(self.log, "w"))

    def stop(self):
        hb.stop_process(self.proc, 10)


def rollup(pid):
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if parts and parts[0].rstrip(":") in ROLLUP:
                out[parts[0].rstrip(":")] = int(parts[1])
    return {"pss_kib": out["Pss"], "rss_kib": out["Rss"],
            "private_kib": out["Private_Clean"] + out["Private_Dirty"],
            "locked_kib": out["Locked"]}


def by_mapping(pid, top):
    """The `top` largest mappings by Pss, summed per file (anonymous ones by their kind)."""
    sums, name = {}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if "-" in parts[0] and len(parts) >= 5 and not parts[0].endswith(":"):
                name = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
            elif parts[0] == "Pss:":
                sums[name] = sums.get(name, 0) + int(parts[1])
    return sorted(sums.items(), key=lambda kv: -kv[1])[:top]


def threads(pid):
    return glob.glob(f"/proc/{pid}/task/*")


def cpu_and_wakeups(pid):
    """All threads' CPU seconds and voluntary context switches so far."""
    cpu, switches = 0, 0
    for t in threads(pid):
        try:
            with open(t + "/schedstat") as f:
                cpu += int(f.read().split()[0])
            with open(t + "/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        switches += int(line.split()[1])
        except OSError:  # a thread that ended meanwhile
            pass
    return cpu / 1e9, switches


def perf_top(pid, seconds, out):
    data = os.path.join(out, "perf.data")
    subprocess.run(["perf", "record", "-q", "-g", "-o", data, "-p", str(pid), "--",
                    "sleep", str(seconds)], capture_output=True)
    r = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                        "--percent-limit", "2", "-g", "none"], capture_output=True, text=True)
    print("\n".join(ln for ln in r.stdout.splitlines() if ln and not ln.startswith("#")))


def measure(procs, window):
    t0 = time.monotonic()
    first = {k: cpu_and_wakeups(p) for k, p in procs.items()}
    time.sleep(window)  # the window itself: nothing of hb's is asked anything during it
    last = {k: cpu_and_wakeups(p) for k, p in procs.items()}
    elapsed = time.monotonic() - t0
    rows = {}
    for k, pid in procs.items():
        row = rollup(pid)
        row["cpu_percent"] = 100 * (last[k][0] - first[k][0]) / elapsed
        row["wakeups_per_s"] = (last[k][1] - first[k][1]) / elapsed
        row["threads"] = len(threads(pid))
        rows[k] = row
    return elapsed, rows


def print_table(rows):
    print(f"{'node':<5}{'daemon':<16}{'Pss':>7}{'Rss':>7}{'Private':>8}{'Locked':>8}"
          f"{'CPU %':>8}{'wakeups/s':>10}{'threads':>8}")
    for node in sorted({k[0] for k in rows}):
        total = [0, 0, 0, 0, 0.0]
        for (n, d), r in rows.items():
            if n != node:
                continue
            print(f"{n:<5}{d:<16}{r['pss_kib']:>7}{r['rss_kib']:>7}{r['private_kib']:>8}"
                  f"{r['locked_kib']:>8}{r['cpu_percent']:>8.3f}{r['wakeups_per_s']:>10.1f}"
                  f"{r['threads']:>8}")
            for i, key in enumerate(("pss_kib", "rss_kib", "private_kib", "locked_kib",
                                     "cpu_percent")):
                total[i] += r[key]
        print(f"{node:<5}{'sum':<16}{total[0]:>7}{total[1]:>7}{total[2]:>8}{total[3]:>8}"
              f"{total[4]:>8.3f}")


def run(args):
    names = ["ha1", "ha2"]
    rig = lt.Rig(args.linkd, node_names=names, lans=1, monitors=False)
    started = []
    try:
        rig.ha_cf = ha_cf(names, args.realtime)
        a, b = rig.pty_pair()
        nodes = rig.start(lambda n: f"bcast lan0\nbaud 19200\nserial {a if n == 'ha1' else b}\n")
        for n in nodes:
            n.notify.drain()  # as systemd would: STATUS= updates keep coming
        procs = {}
        for n in nodes:
            m = e2e.Membershipd(n, args.membershipd)
            started.append(m)
            procs[(n.name, "hb-linkd")] = n.proc.pid
            procs[(n.name, "hb-membershipd")] = m.proc.pid
        for n in nodes:
            # ipfaild has nothing to do without a resource group to move.
            with open(os.path.join(n.confdir, "haresources"), "w") as f:
                f.write("ha1 192.0.2.100\n")
            for exe in (args.ipfaild, args.statusd):
                x = Extra(n, exe)
                started.append(x)
                procs[(n.name, x.name)] = x.proc.pid
        for m in started[:2]:
            peer = "ha2" if m.node.name == "ha1" else "ha1"
            wait_until(lambda m=m, p=peer: m.node_prop(p, "State") == "up",
                       f"{m.node.name} sees {peer} up", timeout=30)
        for n in nodes:
            wait_until(lambda n=n: hb.get_property(
                n.bus.address, IPFAIL_BUS, IPFAIL_ROOT, IPFAIL_BUS + ".Manager", "LocalCount",
                timeout=10) == 1, f"{n.name}: ipfaild reaches the ping node", timeout=30)
        print(f"both nodes up, ping node up; idle {args.settle:g} s, then a {args.window:g} s "
              "window", flush=True)
        time.sleep(args.settle)
        for k, pid in procs.items():
            if not os.path.exists(f"/proc/{pid}"):
                raise Failure(f"{k[0]}: {k[1]} exited")
        elapsed, rows = measure(procs, args.window)
        print_table(rows)
        if args.smaps:
            for (n, d), pid in procs.items():
                if n == "ha1":
                    print(f"ha1 {d}: " + ", ".join(f"{f} {kib}" for f, kib in
                                                   by_mapping(pid, args.smaps)))
        if args.perf:
            perf_top(procs[("ha1", "hb-linkd")], args.perf, args.out)
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump({"realtime": args.realtime, "settle_s": args.settle, "window_s": elapsed,
                       "rows": {f"{n} {d}": r for (n, d), r in rows.items()}}, f, indent=1)
        print(f"results.json in {args.out}")
        return 0
    except Failure:
        rig.dump_logs()
        for x in started:
            with open(x.log) as f:
                print(f"--- {x.log} (tail)\n" + "".join(f.readlines()[-10:]))
        raise
    finally:
        for x in reversed(started):
            x.stop()
        rig.teardown()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build-dir", default=os.path.join(SRC, "build"))
    p.add_argument("--settle", type=float, default=60.0, help="idle seconds before measuring")
    p.add_argument("--window", type=float, default=20.0, help="seconds of CPU accounting")
    p.add_argument("--realtime", choices=("on", "off"), default="on")
    p.add_argument("--smaps", type=int, default=0, metavar="N")
    p.add_argument("--perf", type=float, default=0, metavar="SECONDS")
    p.add_argument("--out")
    args = p.parse_args()
    svc = os.path.join(args.build_dir, "services")
    args.linkd = os.path.join(svc, "hb-linkd", "hb-linkd")
    args.membershipd = os.path.join(svc, "hb-membershipd", "hb-membershipd")
    args.ipfaild = os.path.join(svc, "ipfaild", "ipfaild")
    args.statusd = os.path.join(svc, "hb-statusd", "hb-statusd")
    why = hb.skip_reason("needs root (network namespaces)", ("ip", "dbus-daemon", "busctl",
                                                              "socat"))
    for exe in (args.linkd, args.membershipd, args.ipfaild, args.statusd):
        if not why and not os.access(exe, os.X_OK):
            why = f"SKIP: {exe} not built"
    if why:
        print(why)
        return hb.SKIP
    if args.settle < 0 or args.window <= 0:
        print("usage: --settle at least 0, --window above 0")
        return 64
    args.out = args.out or os.path.join("/tmp", f"hb-idle-netns-{os.getpid()}")
    os.makedirs(args.out, exist_ok=True)

    def interrupted(signum, frame):
        raise KeyboardInterrupt  # unwinds through every cleanup

    signal.signal(signal.SIGTERM, interrupted)
    try:
        return run(args)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    except KeyboardInterrupt:
        print("interrupted: everything made so far is removed")
        return 130


if __name__ == "__main__":
    sys.exit(main())
