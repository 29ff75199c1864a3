#!/usr/bin/env python3
"""How detection and idle cost grow with the cluster (issue 20): N nodes, each a network namespace
with the real hb-linkd and hb-membershipd on a private dbus-daemon (tests/bus's netns rig), all
on one LAN (bcast; keepalive 100 ms, warntime 300 ms, deadtime 500 ms; every ha.cf lists all N).

For each N, once every node sees every other up:
  idle       over --window seconds: CPU of each node's hb-linkd and hb-membershipd
             (/proc/PID/schedstat, % of one core), and the status packets each hb-linkd received
             per second (the sum of its Link objects' PacketsReceived, read around the window).
  detection  --runs times: SIGSTOP of one node's hb-linkd (another node each run); for every
             other node, from the stopped node's last packet as that node's hb-linkd saw it
             (Link.LastHeardUSec, CLOCK_MONOTONIC, read after the death) to the NodeChanged dead
             signal at a client of that node's bus (stamped on arrival, CLOCK_MONOTONIC); and the
             spread between the first and the last observer. SIGCONT, then every node sees every
             node up again before the next run.
  false deaths  NodeChanged to dead of a node nobody stopped, seen anywhere during the window and
             the runs (the stopped node's own view of its peers after SIGCONT is not counted).

Prints one markdown table by N at the end and writes it with every figure to OUT/results.json.

  scale_bench.py [--build-dir DIR | --linkd EXE --membershipd EXE] [--nodes 2 4 8 16 32]
                 [--runs 5] [--window 10] [--realtime off|on] [--out DIR]

Needs root (namespaces), iproute2, dbus-daemon, busctl; exit 77 with the reason otherwise.
Every namespace, daemon, bus and temporary directory it makes is removed at the end, also on a
failure, Ctrl-C or SIGTERM; it only signals pids it started.
"""
import argparse
import json
import os
import platform
import signal
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.setdefault("HB_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "bus", "membership"))
sys.path.insert(0, os.path.join(SRC, "tests", "bus", "linkd"))
sys.path.insert(0, os.path.join(SRC, "tests", "bus"))
import hbtest as hb  # noqa: E402
from hbtest import Failure, wait_until  # noqa: E402
import linkd_test as lt  # noqa: E402  (Rig: namespaces, bridges, buses, hb-linkd per node)
import e2e_test as e2e  # noqa: E402  (Membershipd: hb-membershipd + its NodeChanged monitor)

KEEPALIVE, WARNTIME, DEADTIME = 0.1, 0.3, 0.5
MEDIUM = "lan0"
OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"
SETTLE = 60.0  # bound of "every node sees every node up" (boot of 32 nodes on 2 busy cores)


def ha_cf(names, initdead, realtime):
    def make(media):
        return (f"keepalive {int(KEEPALIVE * 1000)}ms\nwarntime {int(WARNTIME * 1000)}ms\n"
                f"deadtime {int(DEADTIME * 1000)}ms\ninitdead {initdead}\nudpport 694\n"
                f"realtime {realtime}\nauto_failback on\n" + media +
                "".join(f"node {n}\n" for n in names))
    return make


def managed_objects(address, dest, root):
    """GetManagedObjects as {path: {interface: {property: value}}}, {} when the call fails."""
    r = hb.busctl(address, "--json=short", "call", dest, root, OBJECT_MANAGER, "GetManagedObjects")
    if r.returncode != 0:
        return {}
    objects = json.loads(r.stdout)["data"][0]
    return {path: {iface: {k: v["data"] for k, v in props.items()}
                   for iface, props in ifaces.items()}
            for path, ifaces in objects.items()}


def node_states(m):
    """{node: State} as a node's hb-membershipd has them."""
    out = {}
    for ifaces in managed_objects(m.node.bus.address, e2e.MBUS, e2e.MROOT).values():
        node = ifaces.get(e2e.MBUS + ".Node")
        if node is not None:
            out[node["Name"]] = node["State"]
    return out


def packets_received(node):
    """Status packets node's hb-linkd has received from all its peers so far."""
    objects = managed_objects(node.bus.address, lt.BUS, lt.ROOT)
    return sum(ifaces[lt.BUS + ".Link"]["PacketsReceived"] for ifaces in objects.values()
               if lt.BUS + ".Link" in ifaces)


def cpu_seconds(pid):
    """Time on a CPU so far (/proc/PID/schedstat, first field, ns)."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


def wait_all_up(ms, names, what):
    def everyone_up():
        return all(all(st.get(n) == "up" for n in names)
                   for st in (node_states(m) for m in ms))
    wait_until(everyone_up, what, timeout=SETTLE, interval=0.1)


def deaths(ms, since, skip_observers=()):
    """NodeChanged to dead after `since` on the buses of the nodes not in skip_observers:
    (observer, node) pairs."""
    return [(m.node.name, s[1]) for m in ms if m.node.name not in skip_observers
            for s in list(m.signals.seen) if s[0] >= since and s[3] == "dead"]


def summary(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def packets_now(nodes):
    """Every node's packets received, and when (the middle of the reads: they take a while)."""
    before = time.monotonic()
    counts = [packets_received(n) for n in nodes]
    return (before + time.monotonic()) / 2, counts


def measure_idle(nodes, ms, window):
    t_p0, p0 = packets_now(nodes)  # read over the bus, so before the CPU window starts
    pids = [(n.proc.pid, m.proc.pid) for n, m in zip(nodes, ms)]
    t0 = time.monotonic()
    c0 = [(cpu_seconds(a), cpu_seconds(b)) for a, b in pids]
    time.sleep(window)  # the measurement window itself: nothing is polled during it
    c1 = [(cpu_seconds(a), cpu_seconds(b)) for a, b in pids]
    t1 = time.monotonic()
    t_p1, p1 = packets_now(nodes)
    linkd = [(b[0] - a[0]) / (t1 - t0) * 100 for a, b in zip(c0, c1)]
    membershipd = [(b[1] - a[1]) / (t1 - t0) * 100 for a, b in zip(c0, c1)]
    rate = [(b - a) / (t_p1 - t_p0) for a, b in zip(p0, p1)]
    return {"window_s": t1 - t0,
            "linkd_cpu_pct": summary(linkd), "membershipd_cpu_pct": summary(membershipd),
            "packets_per_s": summary(rate),
            "per_node": [{"node": n.name, "linkd_cpu_pct": a, "membershipd_cpu_pct": b,
                          "packets_per_s": r}
                         for n, a, b, r in zip(nodes, linkd, membershipd, rate)]}


def detect_once(nodes, ms, victim_index):
    victim, vm = nodes[victim_index], ms[victim_index]
    observers = [m for m in ms if m is not vm]
    t0 = time.monotonic()
    os.kill(victim.proc.pid, signal.SIGSTOP)
    def all_dead():
        seen = [m.signals.find(victim.name, "up", "dead", t0) for m in observers]
        return seen if all(seen) else None
    try:
        seen = wait_until(all_dead, f"every node sees {victim.name} dead",
                          timeout=10 * DEADTIME + 5)
        heard = [(m.node.get(lt.link_path(victim.name, MEDIUM), lt.BUS + ".Link",
                             "LastHeardUSec") or 0) / 1e6 for m in observers]
    finally:
        t1 = time.monotonic()
        os.kill(victim.proc.pid, signal.SIGCONT)
    unheard = [m.node.name for m, h in zip(observers, heard) if h <= 0]
    if unheard:
        raise Failure(f"no LastHeardUSec for {victim.name} on {', '.join(unheard)}")
    dead_at = [s[0] for s in seen]
    wait_until(lambda: all(m.signals.find(victim.name, "dead", "up", t1) for m in observers),
               f"every node sees {victim.name} up again", timeout=SETTLE)
    wait_all_up(ms, [n.name for n in nodes], f"every node sees every node up after {victim.name}")
    return {"victim": victim.name,
            "from_last_packet_s": [d - h for d, h in zip(dead_at, heard)],
            "from_sigstop_s": [d - t0 for d in dead_at],
            "spread_s": max(dead_at) - min(dead_at),
            "collateral_deaths": [d for d in deaths(ms, t0, skip_observers=(victim.name,))
                                  if d[1] != victim.name]}


def bench_one(args, n_nodes):
    names = [f"ha{i}" for i in range(1, n_nodes + 1)]
    load_before = os.getloadavg()
    rig = lt.Rig(args.linkd, node_names=names, lans=1, monitors=False)
    ms = []
    try:
        rig.ha_cf = ha_cf(names, max(10, 2 * n_nodes), args.realtime)
        nodes = rig.start(lambda n: f"bcast {MEDIUM}\n")
        for n in nodes:
            ms.append(e2e.Membershipd(n, args.membershipd))
        wait_all_up(ms, names, f"every one of {n_nodes} nodes sees every other up")
        print(f"N={n_nodes}: all up; idle window {args.window:g} s", flush=True)
        t_idle = time.monotonic()
        idle = measure_idle(nodes, ms, args.window)
        idle_deaths = deaths(ms, t_idle)
        runs = []
        for i in range(args.runs):
            runs.append(detect_once(nodes, ms, i % n_nodes))
            r = runs[-1]
            print(f"N={n_nodes} run {i + 1}: {r['victim']} stopped; last packet -> dead median "
                  f"{statistics.median(r['from_last_packet_s']) * 1000:.1f} ms, spread "
                  f"{r['spread_s'] * 1000:.1f} ms", flush=True)
        from_packet = [v for r in runs for v in r["from_last_packet_s"]]
        spreads = [r["spread_s"] for r in runs]
        return {"nodes": n_nodes, "load_before": load_before, "load_after": os.getloadavg(),
                "idle": idle,
                "detection": {"from_last_packet_s": summary(from_packet),
                              "from_sigstop_s": summary([v for r in runs
                                                         for v in r["from_sigstop_s"]]),
                              "spread_s": {"median": statistics.median(spreads),
                                           "max": max(spreads)},
                              "pairs": len(from_packet), "runs": runs},
                "false_deaths": idle_deaths + [d for r in runs for d in r["collateral_deaths"]]}
    except Failure:
        rig.dump_logs()
        for m in ms:
            with open(m.log) as f:
                print(f"--- {m.node.name} hb-membershipd log (tail)\n" +
                      "".join(f.readlines()[-10:]))
        raise
    finally:
        for m in ms:
            m.stop()
        rig.teardown()


def table(results):
    ms = lambda v: f"{v * 1000:.0f}"  # noqa: E731
    pct = lambda s: f"{s['median']:.3f} / {s['max']:.3f}"  # noqa: E731
    lines = ["| N | hb-linkd CPU % (median / max) | hb-membershipd CPU % (median / max) | "
             "packets/s per hb-linkd | last packet → NodeChanged dead, ms (min / median / max) | "
             "first → last observer, ms (median / max) | false deaths |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        d = r["detection"]
        f, s = d["from_last_packet_s"], d["spread_s"]
        lines.append(f"| {r['nodes']} | {pct(r['idle']['linkd_cpu_pct'])} | "
                     f"{pct(r['idle']['membershipd_cpu_pct'])} | "
                     f"{r['idle']['packets_per_s']['median']:.0f} | "
                     f"{ms(f['min'])} / {ms(f['median'])} / {ms(f['max'])} | "
                     f"{ms(s['median'])} / {ms(s['max'])} | {len(r['false_deaths'])} |")
    return "\n".join(lines)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build-dir", default=os.path.join(SRC, "build"))
    p.add_argument("--linkd")
    p.add_argument("--membershipd")
    p.add_argument("--nodes", type=int, nargs="+", default=[2, 4, 8, 16, 32])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--window", type=float, default=10.0)
    p.add_argument("--realtime", choices=("off", "on"), default="off")
    p.add_argument("--out")
    args = p.parse_args()
    args.linkd = args.linkd or os.path.join(args.build_dir, "services", "hb-linkd", "hb-linkd")
    args.membershipd = args.membershipd or os.path.join(args.build_dir, "services",
                                                        "hb-membershipd", "hb-membershipd")
    return args


def skip_reason(args):
    why = hb.skip_reason("needs root (network namespaces)", ("ip", "dbus-daemon", "busctl"))
    if why:
        return why
    for exe in (args.linkd, args.membershipd):
        if not os.access(exe, os.X_OK):
            return f"SKIP: {exe} not built"
    return None


def main():
    args = parse_args()
    why = skip_reason(args)
    if why:
        print(why)
        return hb.SKIP
    if any(n < 2 or n > 200 for n in args.nodes) or args.runs < 1 or args.window <= 0:
        print("usage: --nodes between 2 and 200, --runs at least 1, --window above 0")
        return 64

    def interrupted(signum, frame):
        raise KeyboardInterrupt  # unwinds through every cleanup

    signal.signal(signal.SIGTERM, interrupted)
    results, rc = [], 0
    try:
        for n in args.nodes:
            results.append(bench_one(args, n))
    except Failure as e:
        print(f"FAIL: {e}")
        rc = 1
    except KeyboardInterrupt:
        print("interrupted: everything made so far is removed")
        rc = 130
    if results:
        text = table(results)
        print(f"\nkeepalive {KEEPALIVE * 1000:.0f} ms, warntime {WARNTIME * 1000:.0f} ms, "
              f"deadtime {DEADTIME * 1000:.0f} ms, bcast on one LAN, realtime {args.realtime}; "
              f"{args.runs} runs, idle window {args.window:g} s; {os.cpu_count()} CPUs\n")
        print(text)
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, "results.json"), "w") as f:
                json.dump({"settings": {"keepalive_s": KEEPALIVE, "warntime_s": WARNTIME,
                                        "deadtime_s": DEADTIME, "medium": "bcast " + MEDIUM,
                                        "realtime": args.realtime, "runs": args.runs,
                                        "window_s": args.window},
                           "machine": {"cpus": os.cpu_count(), "kernel": platform.release()},
                           "results": results, "table": text}, f, indent=1)
            print(f"\nwritten: {os.path.join(args.out, 'results.json')}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
