#!/usr/bin/env python3
"""hb-membershipd end to end: two network namespaces on two LANs, a private dbus-daemon per node,
the real hb-linkd and the real hb-membershipd on each (the netns rig of tests/bus/linkd).

  e2e_test.py e2e LINKD MEMBERSHIPD
      ha1 sees ha2 up (NodeChanged + State); SIGSTOP of ha2's hb-linkd -> ha2 dead on ha1 within
      deadtime (±keepalive) with the NodeChanged signal; SIGCONT -> up again, same incarnation
      count + 1 (it returned).
  e2e_test.py stress LINKD MEMBERSHIPD [SECONDS [on|off]]
      false deaths with every core busy (bounded CPU hogs), ha.cf realtime on (default) or off.
  e2e_test.py bench LINKD MEMBERSHIPD [RUNS]
      detection latency (keepalive 100 ms, deadtime 500 ms): from ha2's last packet as ha1's
      hb-linkd recorded it (Link.LastHeardUSec, CLOCK_MONOTONIC) to the NodeChanged dead signal
      at a client of ha1's bus; min/median/max over RUNS (default 10) SIGSTOP/SIGCONT cycles.

Needs root (namespaces), iproute2, dbus-daemon, busctl. Exit 77 = skip. Everything it makes is
removed at the end; it only signals pids it started.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "linkd"))
sys.path.insert(0, os.path.dirname(HERE))
import hbtest as hb  # noqa: E402
from hbtest import SKIP, check, wait_until  # noqa: E402
import linkd_test as lt  # noqa: E402  (Rig: namespaces, bridges, buses, hb-linkd per node)

MBUS = "io.github.hbcluster.membership1"
MROOT = "/io/github/hbcluster/membership1"
MEDIA = ["lan0", "lan1"]


class Signals:
    """NodeChanged on a node's bus, stamped with time.monotonic() as each line arrives."""

    def __init__(self, address, log):
        self.proc = subprocess.Popen(
            ["busctl", "--address=" + address, "--json=short", "monitor", MBUS],
            stdout=subprocess.PIPE, stderr=open(log, "w"), text=True, bufsize=1)
        self.lock = threading.Lock()
        self.seen = []  # (t, node, old, new, incarnation)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.stdout:
            t = time.monotonic()
            try:
                m = json.loads(line)
            except ValueError:
                continue
            if m.get("type") == "signal" and m.get("member") == "NodeChanged":
                with self.lock:
                    self.seen.append((t, *m["payload"]["data"]))

    def find(self, node, old, new, after=0.0):
        with self.lock:
            for s in self.seen:
                if s[0] >= after and s[1:4] == (node, old, new):
                    return s
        return None

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Membershipd:
    def __init__(self, node, exe):
        self.node = node
        env = hb.daemon_env(node.bus.address, drop=("NOTIFY_SOCKET",))
        self.log = os.path.join(node.tmp, "hb-membershipd.log")
        self.signals = Signals(node.bus.address, os.path.join(node.tmp, "mmonitor.log"))
        self.proc = subprocess.Popen([exe, "--config-dir", node.confdir, "--node", node.name],
                                     env=env, stderr=open(self.log, "w"))
        try:
            wait_until(lambda: self.node_prop(node.name, "State") == "up",
                       f"{node.name}: hb-membershipd on the bus")
        except BaseException:  # the caller never gets this object to stop
            self.stop()
            raise

    def node_prop(self, name, prop):
        return hb.get_property(self.node.bus.address, MBUS, hb.path_encode(MROOT + "/node", name),
                               MBUS + ".Node", prop, timeout=10)

    def stop(self):
        hb.stop_process(self.proc, 10)
        self.signals.stop()


def ha_cf(keepalive, deadtime, warntime, realtime="off"):
    def make(media):
        return (f"keepalive {keepalive}\ndeadtime {deadtime}\nwarntime {warntime}\n"
                f"initdead 2\nudpport 694\nrealtime {realtime}\nauto_failback on\n" + media +
                "node ha1\nnode ha2\n")
    return make


def setup(rig, membershipd, cf):
    rig.ha_cf = cf
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n")
    for n in (ha1, ha2):
        n.notify.drain()  # already reading since its hb-linkd started: does nothing more
    m1, m2 = Membershipd(ha1, membershipd), Membershipd(ha2, membershipd)
    rig.membershipds = [m1, m2]
    wait_until(lambda: m1.node_prop("ha2", "State") == "up", "ha1 sees ha2 up")
    wait_until(lambda: m2.node_prop("ha1", "State") == "up", "ha2 sees ha1 up")
    return ha1, ha2, m1, m2


def last_heard(node, peer):
    return max(node.get(lt.link_path(peer, m), lt.BUS + ".Link", "LastHeardUSec") or 0
               for m in MEDIA) / 1e6


def case_e2e(rig, membershipd):
    keepalive, deadtime = 0.1, 1.0
    ha1, ha2, m1, m2 = setup(rig, membershipd, ha_cf("100ms", "1", "500ms"))
    check(m1.signals.find("ha2", "init", "up") is not None or
             m1.node_prop("ha2", "Incarnation") == 1, "ha1: ha2 up, incarnation 1")
    links = m1.node_prop("ha2", "Links")
    check(links == {"lan0": "up", "lan1": "up"}, f"ha1: ha2's links {links}")

    os.kill(ha2.proc.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    dead = wait_until(lambda: m1.signals.find("ha2", "up", "dead", t0), "NodeChanged ha2 dead",
                         timeout=5)
    took = dead[0] - t0
    check(deadtime - keepalive - 0.05 <= took <= deadtime + keepalive + 0.1,
             f"ha2 dead on ha1 {took:.3f}s after SIGSTOP (deadtime 1 s, keepalive 0.1 s)")
    check(dead[4] == 1, "NodeChanged carries incarnation 1")
    check(m1.node_prop("ha2", "State") == "dead", "ha1: State of ha2 is dead")
    with open(m1.log) as f:
        text = f.read()
    check("node ha2: is dead" in text, "ha1's log: node ha2: is dead")

    t1 = time.monotonic()
    os.kill(ha2.proc.pid, signal.SIGCONT)
    up = wait_until(lambda: m1.signals.find("ha2", "dead", "up", t1), "NodeChanged ha2 up")
    check(up[4] == 2, f"ha2 back up on ha1 after SIGCONT, incarnation {up[4]}")
    check(m1.node_prop("ha2", "State") == "up", "ha1: State of ha2 is up again")


def case_bench(rig, membershipd, runs=10):
    keepalive, deadtime = 0.1, 0.5
    ha1, ha2, m1, m2 = setup(rig, membershipd, ha_cf("100ms", "500ms", "300ms"))
    from_packet, from_stop = [], []
    for i in range(runs):
        t0 = time.monotonic()
        os.kill(ha2.proc.pid, signal.SIGSTOP)
        dead = wait_until(lambda: m1.signals.find("ha2", "up", "dead", t0), "dead", timeout=5)
        heard = last_heard(ha1, "ha2")
        from_packet.append(dead[0] - heard)
        from_stop.append(dead[0] - t0)
        t1 = time.monotonic()
        os.kill(ha2.proc.pid, signal.SIGCONT)
        wait_until(lambda: m1.signals.find("ha2", "dead", "up", t1), "up again")
        wait_until(lambda: m1.node_prop("ha2", "Links") == {"lan0": "up", "lan1": "up"},
                      "both links up again")
    ms = lambda v: f"{v * 1000:.1f}"  # noqa: E731
    for name, v in (("last packet -> NodeChanged dead", from_packet),
                    ("SIGSTOP -> NodeChanged dead", from_stop)):
        print(f"{name}: min {ms(min(v))} ms, median {ms(statistics.median(v))} ms, "
              f"max {ms(max(v))} ms over {runs} runs (deadtime {ms(deadtime)} ms, "
              f"keepalive {ms(keepalive)} ms)")
    print("excess over deadtime (from last packet): median "
          f"{ms(statistics.median(from_packet) - deadtime)} ms")


def case_stress(rig, membershipd, seconds=60, realtime="on"):
    """False deaths while every core is busy with a bounded CPU hog (keepalive 100 ms, deadtime
    500 ms): NodeChanged to dead seen on either node during the window. Goal: zero."""
    ha1, ha2, m1, m2 = setup(rig, membershipd, ha_cf("100ms", "500ms", "300ms", realtime))
    t0 = time.monotonic()
    hogs = [subprocess.Popen(["timeout", str(seconds), sys.executable, "-c", "while True: pass"])
            for _ in range(os.cpu_count() or 2)]
    try:
        for h in hogs:
            h.wait(timeout=seconds + 30)
    finally:
        for h in hogs:
            if h.poll() is None:
                h.kill()
                h.wait()
    deaths = [s for m in (m1, m2) for s in m.signals.seen if s[0] >= t0 and s[3] == "dead"]
    late = 0
    for n in (ha1, ha2):
        with open(n.log) as f:
            late += sum("(warntime)" in line for line in f)
    print(f"realtime {realtime}: {len(deaths)} false deaths, {late} late-heartbeat warnings in "
          f"{seconds} s with {len(hogs)} CPU hogs (keepalive 100 ms, deadtime 500 ms)")
    check(not deaths, f"no false deaths under load (realtime {realtime})")


def main():
    mode, linkd, membershipd = sys.argv[1], sys.argv[2], sys.argv[3]
    why = hb.skip_reason("needs root (network namespaces)", ("ip", "dbus-daemon", "busctl"))
    if why:
        print(why)
        return SKIP
    rig = lt.Rig(linkd)
    rig.membershipds = []

    def body():
        if mode == "e2e":
            case_e2e(rig, membershipd)
        elif mode == "stress":
            case_stress(rig, membershipd, int(sys.argv[4]) if len(sys.argv) > 4 else 60,
                        sys.argv[5] if len(sys.argv) > 5 else "on")
        elif mode == "bench":
            case_bench(rig, membershipd, int(sys.argv[4]) if len(sys.argv) > 4 else 10)
        else:
            print("unknown mode " + mode)
            return 64

    def logs():
        rig.dump_logs()
        for m in rig.membershipds:
            with open(m.log) as f:
                print(f"--- {m.node.name} hb-membershipd log (tail)\n" + "".join(f.readlines()[-30:]))

    def cleanup():
        for m in rig.membershipds:
            m.stop()
        rig.teardown()
    return hb.run_case(body, on_failure=logs, cleanup=cleanup)


if __name__ == "__main__":
    sys.exit(main())
