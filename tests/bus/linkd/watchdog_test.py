#!/usr/bin/env python3
"""hb-linkd's watchdog (ha.cf `watchdog`) against the test watchdog (tests/tools/hb-test-watchdog,
a FIFO that fires like a device), on linkd_test.py's two nodes (bcast, keepalive 100ms,
deadtime 1: the watchdog's timeout is 2 s) with a fake hb-resourced (fake_bus_peer) on ha1's bus.

  watchdog_test.py CASE DAEMON FAKE_BUS_PEER TEST_WATCHDOG
    fed_then_fires: armed and fed for longer than its timeout while own heartbeats come back and
                    the fake hb-resourced answers Ping; the fake stopped (SIGSTOP: hung) -> the
                    property says starving, then the test watchdog fires within timeout + margin
    gone_fires:     the fake hb-resourced killed (gone from the bus) -> it fires
    clean_stop:     SIGTERM of hb-linkd disarms it ('V', close): no fire
    pid1:           PID 1 (a fake systemd1 with RuntimeWatchdogUSec) runs a watchdog: hb-linkd
                    says held-by-pid1 and never opens the device
    elsewhere:      another process has the device open for writing: held-elsewhere, not opened
    unavailable:    the path does not exist: unavailable, said in the Warnings

Needs root (namespaces), iproute2, dbus-daemon, busctl. Exit 77 = skip. It only kills pids it
started and removes what it made.
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import hbtest as hb  # noqa: E402
import linkd_test as lt  # noqa: E402
from hbtest import SKIP, WAIT, check, wait_until  # noqa: E402

TIMEOUT = 2.0  # twice deadtime (1 s): the rule of hb.conf's [watchdog] timeout
ANSWER_BOUND = 0.5  # deadtime / 2
MARGIN = 1.0  # keepalive ticks, scheduling on a loaded 2-core machine


class Setup:
    def __init__(self, rig, fake_peer, test_watchdog):
        self.rig, self.fake_peer, self.tool = rig, fake_peer, test_watchdog
        self.fifo = os.path.join(rig.tmp, "watchdog")
        self.record = os.path.join(rig.tmp, "watchdog.record")
        self.watchdog = None
        self.peers = []

    def start_watchdog(self):
        self.watchdog = subprocess.Popen(
            [self.tool, "--fifo", self.fifo, "--timeout", str(TIMEOUT), "--record", self.record],
            stderr=open(os.path.join(self.rig.tmp, "watchdog.err"), "w"))
        self.rig.extra.append(self.watchdog)
        wait_until(lambda: "listening" in self.events(), "the test watchdog listens")

    def events(self):
        try:
            with open(self.record) as f:
                return f.read()
        except OSError:
            return ""

    def event_time(self, word):
        """The monotonic time of the first event starting with `word`, or None."""
        for line in self.events().splitlines():
            _, mono, event = line.split(" ", 2)
            if event.startswith(word):
                return float(mono)
        return None

    def fake(self, node, name, *extra):
        """A fake_bus_peer owning `name` on `node`'s bus, once it says ready."""
        p = subprocess.Popen([self.fake_peer, node.bus.address, name, *extra],
                             stdout=subprocess.PIPE, text=True)
        self.rig.extra.append(p)
        check(p.stdout.readline().strip() == "ready", f"fake {name} on {node.name}'s bus")
        self.peers.append(p)
        return p

    def start_nodes(self, path=None):
        path = path or self.fifo
        return self.rig.start(lambda n: "bcast lan0\n" + (f"watchdog {path}\n" if n == "ha1" else ""))


def watchdog_state(node):
    return node.get(lt.ROOT, lt.MANAGER, "Watchdog")


def warning_codes(node):
    return [c for c, _ in (node.get(lt.ROOT, lt.MANAGER, "Warnings") or [])]


def wait_state(node, state, timeout=WAIT):
    wait_until(lambda: watchdog_state(node) == state, f"{node.name}: Watchdog {state}", timeout)
    print(f"ok: {node.name}: Watchdog is {state}", flush=True)


def fd_targets(pid):
    out = []
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                pass
    except OSError:
        pass
    return out


def start_with_resourced(s):
    """Both nodes, ha1 with the watchdog line; the fake hb-resourced on ha1's bus."""
    s.start_watchdog()
    ha1, ha2 = s.start_nodes()
    resourced = s.fake(ha1, "io.github.hbcluster.resource1")
    lt.both_up(ha1, ha2, ["lan0"])
    wait_state(ha1, "armed")
    # hb-linkd reports "armed" once it has opened the device; the test watchdog records it when
    # it reads that open, which may come a moment later.
    wait_until(lambda: s.event_time("armed") is not None, "the test watchdog is armed")
    return ha1, ha2, resourced


def fed_for_longer_than_its_timeout(s):
    wait_until(lambda: any(line.split(" ", 2)[2].startswith("fed for") and
                           float(line.split()[4]) >= 2 * TIMEOUT
                           for line in s.events().splitlines() if " fed for " in line),
               f"fed for {2 * TIMEOUT:g} s and more")
    check(s.event_time("fired") is None, "no fire while fed")
    print(f"ok: fed for over {2 * TIMEOUT:g} s, no fire", flush=True)


def case_fed_then_fires(s):
    ha1, ha2, resourced = start_with_resourced(s)
    fed_for_longer_than_its_timeout(s)
    check(warning_codes(ha1) == [], f"no watchdog warning while fed ({warning_codes(ha1)})")
    stopped = time.monotonic()
    os.kill(resourced.pid, signal.SIGSTOP)  # hung: the name is still owned, Ping unanswered
    try:
        wait_state(ha1, "starving", TIMEOUT + MARGIN)
        check("watchdog-starving" in warning_codes(ha1), "Warnings: watchdog-starving")
        limit = ANSWER_BOUND + TIMEOUT + MARGIN
        wait_until(lambda: s.event_time("fired") is not None, "the test watchdog fires",
                   limit + 1)
        late = s.event_time("fired") - stopped
        check(late <= limit, f"fired {late:.2f} s after hb-resourced hung (at most {limit:g} s)")
        check(late >= TIMEOUT, f"not before its timeout ({late:.2f} s)")
        print(f"ok: fired {late:.2f} s after hb-resourced hung", flush=True)
    finally:
        os.kill(resourced.pid, signal.SIGCONT)


def case_gone_fires(s):
    ha1, ha2, resourced = start_with_resourced(s)
    gone = time.monotonic()
    resourced.kill()
    resourced.wait()
    limit = ANSWER_BOUND + TIMEOUT + MARGIN
    wait_until(lambda: s.event_time("fired") is not None, "the test watchdog fires", limit + 1)
    late = s.event_time("fired") - gone
    check(late <= limit, f"fired {late:.2f} s after hb-resourced left (at most {limit:g} s)")
    print(f"ok: fired {late:.2f} s after hb-resourced left the bus", flush=True)


def case_clean_stop(s):
    ha1, ha2, resourced = start_with_resourced(s)
    ha1.proc.terminate()
    check(ha1.proc.wait(timeout=WAIT) == 0, "hb-linkd exits 0 on SIGTERM")
    wait_until(lambda: s.event_time("disarmed") is not None, "the test watchdog is disarmed")
    check(s.event_time("closed without disarming") is None, "it was not left counting")
    check(s.event_time("fired") is None, "no fire")
    check(s.watchdog.poll() is None, "the test watchdog still runs, disarmed")
    print("ok: a clean stop disarms the watchdog", flush=True)


def case_pid1(s):
    s.start_watchdog()
    # PID 1 must be on the bus before hb-linkd asks: the buses exist once the nodes are made,
    # so make them, start the fake, then hb-linkd.
    nodes = {}
    for name in s.rig.node_names:
        media = "bcast lan0\n" + (f"watchdog {s.fifo}\n" if name == "ha1" else "")
        nodes[name] = lt.Node(s.rig, name, s.rig.ha_cf(media))
    s.rig.nodes = nodes
    ha1, ha2 = nodes["ha1"], nodes["ha2"]
    s.fake(ha1, "org.freedesktop.systemd1", "30000000")
    s.fake(ha1, "io.github.hbcluster.resource1")
    ha1.start()
    ha2.start()
    lt.both_up(ha1, ha2, ["lan0"])
    wait_state(ha1, "held-by-pid1")
    check("watchdog-held-by-pid1" in warning_codes(ha1), "Warnings: watchdog-held-by-pid1")
    # Own heartbeats keep coming back and hb-resourced answers, and still it is not opened.
    wait_until(lambda: ha1.get(lt.link_path("ha2", "lan0"), lt.BUS + ".Link",
                               "PacketsSent") >= 30, "30 keepalives sent")
    check(s.fifo not in fd_targets(ha1.proc.pid), "hb-linkd never opened the device")
    check(s.event_time("armed") is None, "the test watchdog was never armed")
    print("ok: PID 1's watchdog is left alone", flush=True)


def case_elsewhere(s):
    s.start_watchdog()
    other = os.open(s.fifo, os.O_WRONLY | os.O_NONBLOCK)  # another feeder, e.g. sbd
    try:
        ha1, ha2 = s.start_nodes()
        s.fake(ha1, "io.github.hbcluster.resource1")
        lt.both_up(ha1, ha2, ["lan0"])
        wait_state(ha1, "held-elsewhere")
        text = dict(ha1.get(lt.ROOT, lt.MANAGER, "Warnings")).get("watchdog-held-elsewhere", "")
        check(f"process {os.getpid()}" in text, f"the warning names the holder ({text!r})")
        check(s.fifo not in fd_targets(ha1.proc.pid), "hb-linkd did not open the device")
    finally:
        os.close(other)


def case_unavailable(s):
    missing = os.path.join(s.rig.tmp, "no-such-watchdog")
    ha1, ha2 = s.start_nodes(missing)
    s.fake(ha1, "io.github.hbcluster.resource1")
    lt.both_up(ha1, ha2, ["lan0"])
    wait_state(ha1, "unavailable")
    text = dict(ha1.get(lt.ROOT, lt.MANAGER, "Warnings")).get("watchdog-unavailable", "")
    check("No such file or directory" in text, f"the warning says why ({text!r})")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}


def main():
    case, daemon, fake_peer, tool = sys.argv[1:5]
    why = hb.skip_reason("needs root (network namespaces)", ("ip", "dbus-daemon", "busctl"))
    if why:
        print(why)
        return SKIP
    rig = lt.Rig(daemon)
    s = Setup(rig, fake_peer, tool)
    return hb.run_case(lambda: CASES[case](s), on_failure=rig.dump_logs, cleanup=rig.teardown)


if __name__ == "__main__":
    sys.exit(main())
