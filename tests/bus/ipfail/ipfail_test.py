#!/usr/bin/env python3
"""ipfaild against a real ping node: the ping node 192.0.2.1 lives in its own network namespace,
joined by a veth pair to the node's namespace (192.0.2.11) where ipfaild runs on a private
dbus-daemon (keepalive 100ms, deadping 1s).

  ipfail_test.py CASE IPFAILD   CASE: raw (ping_group_range closed: raw socket, as root)
                                      dgram (ping_group_range opened: unprivileged ICMP socket)
                                      group (ping_group of 192.0.2.1 and the silent
                                             192.0.2.2: counts once while either answers)
                                      nothing (no ping nodes: exit 100, no bus name)
                                      reload (Manager.Reload: a longer deadping applied live,
                                              a restart-only change refused, root only)
                                      pingreload (Manager.Reload adds the ping node 192.0.2.3
                                              and removes 192.0.2.1: objects come and go,
                                              LocalCount follows, the kept one stays up)

Checks: the PingNode object goes init -> up; link down -> dead within deadping (+ a round);
link up -> up again; an nft drop of ICMP -> dead; rule gone -> up. LocalCount follows; each
change is a PingNodeChanged signal.

Needs root (namespaces), iproute2, dbus-daemon, busctl; nft for the drop step. Exit 77 = skip.
Removes every namespace, process and file it makes; only kills pids it started.
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import hbtest as hb  # noqa: E402
from hbtest import SKIP, WAIT, check, run  # noqa: E402

BUS = "io.github.hbcluster.ipfail1"
ROOT = "/io/github/hbcluster/ipfail1"
PING = "192.0.2.1"
PING_PATH = ROOT + "/pingnode/_3192_2e0_2e2_2e1"  # sd_bus_path_encode("192.0.2.1")
DEADPING = 1.0


class Net(hb.Namespaces):
    """Two namespaces and a veth pair; removed on close()."""

    def __init__(self):
        super().__init__()
        tag = str(os.getpid())
        self.node, self.router = self.add("ipf-node-" + tag), self.add("ipf-ping-" + tag)
        self.node_if, self.router_if = "ipfn" + tag, "ipfp" + tag
        self.veth(self.node, self.node_if, self.router, self.router_if)
        self.ns(self.node, "ip", "addr", "add", "192.0.2.11/24", "dev", self.node_if)
        self.ns(self.router, "ip", "addr", "add", PING + "/24", "dev", self.router_if)
        for ns, dev in ((self.node, self.node_if), (self.router, self.router_if)):
            self.ns(ns, "ip", "link", "set", dev, "up")

    def ns(self, ns, *cmd, check_rc=True):
        return run("ip", "netns", "exec", ns, *cmd, check_rc=check_rc)


def prop(bus, path, iface, name):
    return hb.get_property(bus.address, BUS, path, iface, name)


def wait_prop(bus, path, iface, name, want, within):
    got = [None]

    def reached():
        got[0] = prop(bus, path, iface, name)
        return got[0] == want
    try:
        return hb.wait_until(reached, name, within, interval=0.05)
    except hb.Failure:
        print(f"   {path} {name} = {got[0]!r}, wanted {want!r}")
        return False


def config(tmp, ping_lines):
    d = hb.config_dir(tmp)
    cf = os.path.join(d, "ha.cf")
    with open(cf) as f:
        lines = [ln for ln in f.read().splitlines()
                 if not ln.split()[:1] or ln.split()[0] not in
                 ("ping", "keepalive", "deadtime", "warntime", "initdead", "serial")]
    lines += ["keepalive 100ms", "deadtime 1", "warntime 500ms", "initdead 2",
              "bcast lo"] + ping_lines
    with open(cf, "w") as f:
        f.write("\n".join(lines) + "\n")
    return d


def start(net, tmp, bus, notify, daemon, conf):
    env = hb.daemon_env(bus.address, notify, drop=("WATCHDOG_PID", "WATCHDOG_USEC"))
    return subprocess.Popen(["ip", "netns", "exec", net.node, daemon, "--config-dir", conf,
                             "--node", hb.NODE], env=env, stderr=open(os.path.join(tmp, "log"), "w"))


def stop(proc):
    hb.stop_process(proc, WAIT)


def case_reachability(tmp, daemon, dgram):
    net = Net()
    bus = hb.BusDaemon(tmp, hb.PERMISSIVE)
    proc = None
    mon = None
    try:
        net.ns(net.node, "sysctl", "-qw",
               "net.ipv4.ping_group_range=" + ("0 0" if dgram else "1 0"))
        notify = hb.Notify(tmp)
        conf = config(tmp, ["ping " + PING])
        mon = subprocess.Popen(["busctl", "--address=" + bus.address, "--json=short", "monitor",
                                "--match=type='signal',interface='" + BUS + ".Manager',"
                                "member='PingNodeChanged'"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        proc = start(net, tmp, bus, notify, daemon, conf)
        check(notify.wait_for("READY=1"), "READY=1")
        kind = "datagram" if dgram else "raw"
        ready = next(m for m in notify.messages if "READY=1" in m.split("\n"))
        check(f"({kind} ICMP socket)" in ready, f"probes with a {kind} ICMP socket: {ready!r}")
        notify.drain()  # keeps reading STATUS= updates as systemd would
        check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "up", WAIT),
              "reachable ping node -> up")
        check(prop(bus, PING_PATH, BUS + ".PingNode", "Address") == PING, "Address")
        check(wait_prop(bus, ROOT, BUS + ".Manager", "LocalCount", 1, WAIT), "LocalCount 1")

        t0 = time.monotonic()
        net.ns(net.router, "ip", "link", "set", net.router_if, "down")
        check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "dead", DEADPING + 2.0),
              "router link down -> dead")
        took = time.monotonic() - t0
        check(took >= DEADPING - 0.2, f"not before deadping ({took:.2f}s)")
        check(wait_prop(bus, ROOT, BUS + ".Manager", "LocalCount", 0, 1.0), "LocalCount 0")
        net.ns(net.router, "ip", "link", "set", net.router_if, "up")
        check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "up", 5.0),
              "router link up -> up")

        if shutil.which("nft"):
            net.ns(net.router, "nft", "add table inet ipf; add chain inet ipf in "
                   "{ type filter hook input priority 0; }; add rule inet ipf in icmp type "
                   "echo-request drop")
            check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "dead", DEADPING + 2.0),
                  "nft drop of echo requests -> dead")
            net.ns(net.router, "nft", "delete table inet ipf")
            check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "up", 5.0),
                  "drop removed -> up")
        else:
            print("note: nft not installed, drop step skipped")

        stop(proc)
        mon.terminate()
        out = mon.communicate(timeout=WAIT)[0]
        states = [json.loads(ln)["payload"]["data"][1] for ln in out.splitlines() if ln.strip()]
        # The first "up" may come before busctl monitor is subscribed.
        if states[:1] == ["up"]:
            states = states[1:]
        want = ["dead", "up"] + (["dead", "up"] if shutil.which("nft") else [])
        check(states == want, f"PingNodeChanged signals after the first up: {states}")
    finally:
        tear_down(tmp, proc, bus, net, mon)


def case_group(tmp, daemon):
    net = Net()
    bus = hb.BusDaemon(tmp, hb.PERMISSIVE)
    proc = None
    silent = ROOT + "/pingnode/_3192_2e0_2e2_2e2"
    try:
        notify = hb.Notify(tmp)
        conf = config(tmp, ["ping_group lan 192.0.2.2 " + PING])
        proc = start(net, tmp, bus, notify, daemon, conf)
        check(notify.wait_for("READY=1"), "READY=1")
        notify.drain()
        check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "up", WAIT), "member .1 up")
        check(wait_prop(bus, silent, BUS + ".PingNode", "State", "dead", DEADPING + 2.0),
              "member .2 (nobody there) dead")
        check(wait_prop(bus, ROOT, BUS + ".Manager", "LocalCount", 1, 1.0),
              "the group counts once: LocalCount 1")
        net.ns(net.router, "ip", "link", "set", net.router_if, "down")
        check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "dead", DEADPING + 2.0),
              "member .1 dead")
        check(wait_prop(bus, ROOT, BUS + ".Manager", "LocalCount", 0, 1.0),
              "no member answers: LocalCount 0")
    finally:
        if proc is not None:
            stop(proc)
        bus.stop()
        net.close()


def tear_down(tmp, proc, bus, net, mon=None):
    """The end of a case: ipfaild and the signal monitor stopped, the bus and the namespaces
    gone, and ipfaild's stderr printed for the test log."""
    if proc is not None:
        stop(proc)
    if mon is not None and mon.poll() is None:
        mon.kill()
        mon.wait()
    bus.stop()
    net.close()
    with open(os.path.join(tmp, "log")) as f:
        print("--- ipfaild stderr ---\n" + f.read())


def reload(bus, method, user=None):
    """Manager.CheckReload or Reload through busctl: (exit status, stdout, stderr)."""
    r = hb.busctl(bus.address, "call", BUS, ROOT, BUS + ".Manager", method, user=user)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def case_reload(tmp, daemon):
    net = Net()
    bus = hb.BusDaemon(tmp, hb.PERMISSIVE)
    proc = None
    try:
        notify = hb.Notify(tmp)
        conf = config(tmp, ["ping " + PING])
        proc = start(net, tmp, bus, notify, daemon, conf)
        check(notify.wait_for("READY=1"), "READY=1")
        notify.drain()
        check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "up", WAIT),
              "reachable ping node -> up")
        ha_cf = os.path.join(conf, "ha.cf")
        with open(ha_cf) as f:
            original = f.read()

        check(reload(bus, "CheckReload") == (0, 'as 0', ""), "nothing changed: nothing to apply")
        with open(ha_cf, "w") as f:
            f.write(original + "deadping 3\n")
        check(reload(bus, "CheckReload")[:2] == (0, 'as 1 "deadping"'), "CheckReload: deadping")
        rc, out, err = reload(bus, "Reload", user=65534)
        check(rc != 0 and "denied" in err.lower(), f"uid 65534 may not reload: {err!r}")
        rc, out, err = reload(bus, "Reload")
        check((rc, out) == (0, 'as 1 "deadping"'), f"Reload applies deadping: {rc} {out} {err}")

        # The new deadping in force: the ping node counts as dead after 3 s, not 1 s.
        t0 = time.monotonic()
        net.ns(net.router, "ip", "link", "set", net.router_if, "down")
        check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "dead", 3.0 + 2.0),
              "router link down -> dead")
        took = time.monotonic() - t0
        check(took >= 3.0 - 0.2, f"not before the new deadping ({took:.2f}s)")
        net.ns(net.router, "ip", "link", "set", net.router_if, "up")
        check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "up", 5.0),
              "router link up -> up")

        with open(ha_cf, "w") as f:
            f.write(original + "deadping 2\nmsgfmt netstring\n")
        rc, _, err = reload(bus, "CheckReload")
        check(rc != 0 and "msgfmt: needs a restart of hb.target" in err,
              f"a restart-only change is refused by name: {err!r}")
        rc, _, err = reload(bus, "Reload")
        check(rc != 0 and "msgfmt" in err, "Reload refuses it too")
        with open(ha_cf, "w") as f:
            f.write(original + "deadping 3\n")
        check(reload(bus, "Reload")[:2] == (0, "as 0"), "deadping 3 is still the one in force")
        with open(os.path.join(tmp, "log")) as f:
            log = f.read()
        check(log.count("reloaded: deadping applied") == 1, "ipfaild logs what it applied, once")
        check("reload refused" in log, "and the refusal")
    finally:
        tear_down(tmp, proc, bus, net)


def case_ping_reload(tmp, daemon):
    net = Net()
    bus = hb.BusDaemon(tmp, hb.PERMISSIVE)
    proc = mon = None
    added = "192.0.2.3"
    added_path = ROOT + "/pingnode/_3192_2e0_2e2_2e3"  # sd_bus_path_encode(added)
    try:
        net.ns(net.router, "ip", "addr", "add", added + "/24", "dev", net.router_if)
        notify = hb.Notify(tmp)
        conf = config(tmp, ["ping " + PING])
        proc = start(net, tmp, bus, notify, daemon, conf)
        check(notify.wait_for("READY=1"), "READY=1")
        notify.drain()
        check(wait_prop(bus, PING_PATH, BUS + ".PingNode", "State", "up", WAIT), PING + " up")
        check(wait_prop(bus, ROOT, BUS + ".Manager", "LocalCount", 1, WAIT), "LocalCount 1")
        signals = os.path.join(tmp, "signals")
        mon = subprocess.Popen(["busctl", "--address=" + bus.address, "--json=short", "monitor",
                                "--match=type='signal'"],
                               stdout=open(signals, "w"), stderr=subprocess.DEVNULL, text=True)

        # The monitor is subscribed once it shows a signal sent after it started.
        def monitor_listening():
            hb.busctl(bus.address, "emit", "/probe", "org.example.Probe", "Listening")
            with open(signals) as f:
                return "Listening" in f.read()
        hb.wait_until(monitor_listening, "busctl monitor listening", interval=0.1)
        ha_cf = os.path.join(conf, "ha.cf")
        with open(ha_cf) as f:
            original = f.read()

        with open(ha_cf, "w") as f:
            f.write(original + "ping " + added + "\n")
        check(reload(bus, "CheckReload")[:2] == (0, 'as 1 "ping"'), "CheckReload: ping")
        rc, out, err = reload(bus, "Reload")
        check((rc, out) == (0, 'as 1 "ping"'), f"Reload applies ping: {rc} {out} {err}")
        check(prop(bus, added_path, BUS + ".PingNode", "Address") == added,
              "the new PingNode object is there at once")
        check(wait_prop(bus, added_path, BUS + ".PingNode", "State", "up", WAIT),
              "the new ping node is probed: up")
        check(wait_prop(bus, ROOT, BUS + ".Manager", "LocalCount", 2, WAIT), "LocalCount 2")
        check(prop(bus, PING_PATH, BUS + ".PingNode", "State") == "up", PING + " still up")

        with open(ha_cf, "w") as f:
            f.write(original.replace("ping " + PING + "\n", "") + "ping " + added + "\n")
        rc, out, err = reload(bus, "Reload")
        check((rc, out) == (0, 'as 1 "ping"'), f"Reload removes {PING}: {rc} {out} {err}")
        check(prop(bus, PING_PATH, BUS + ".PingNode", "Address") is None,
              f"{PING}'s PingNode object is gone")
        check(wait_prop(bus, ROOT, BUS + ".Manager", "LocalCount", 1, WAIT),
              "LocalCount 1: counted over the new set")
        check(prop(bus, added_path, BUS + ".PingNode", "State") == "up", added + " still up")

        stop(proc)
        mon.terminate()
        mon.wait(timeout=WAIT)
        with open(signals) as f:
            lines = [json.loads(ln) for ln in f.read().splitlines() if ln.strip()]
        objects = [(m["member"], m["payload"]["data"][0]) for m in lines
                   if m.get("member") in ("InterfacesAdded", "InterfacesRemoved")]
        check(objects == [("InterfacesAdded", added_path), ("InterfacesRemoved", PING_PATH)],
              f"one InterfacesAdded, one InterfacesRemoved: {objects}")
        changed = [m["payload"]["data"] for m in lines if m.get("member") == "PingNodeChanged"]
        check([added, "init"] in changed and [added, "up"] in changed,
              f"the new one announced at init, then up: {changed}")
        check(not any(d[0] == PING for d in changed), f"{PING} never changed: {changed}")
        with open(os.path.join(tmp, "log")) as f:
            log = f.read()
        check("ping node " + added + " added by a reload" in log, "journal: added")
        check("ping node " + PING + " removed by a reload" in log, "journal: removed")
    finally:
        tear_down(tmp, proc, bus, net, mon)


def case_nothing(tmp, daemon):
    bus = hb.BusDaemon(tmp, hb.PERMISSIVE)
    try:
        conf = config(tmp, [])
        env = hb.daemon_env(bus.address)
        r = subprocess.run(["unshare", "--net", daemon, "--config-dir", conf, "--node", hb.NODE],
                           env=env, capture_output=True, text=True, timeout=WAIT)
        check(r.returncode == 100, f"no ping nodes -> exit 100 (rc={r.returncode})")
        check("no ping nodes" in r.stderr, "says why")
    finally:
        bus.stop()


def main():
    case, daemon = sys.argv[1], sys.argv[2]
    why = hb.skip_reason("needs root for network namespaces",
                         ("ip", "dbus-daemon", "busctl", "unshare"))
    if why:
        print(why)
        return SKIP
    cases = {"raw": lambda tmp: case_reachability(tmp, daemon, dgram=False),
             "dgram": lambda tmp: case_reachability(tmp, daemon, dgram=True),
             "group": lambda tmp: case_group(tmp, daemon),
             "nothing": lambda tmp: case_nothing(tmp, daemon),
             "reload": lambda tmp: case_reload(tmp, daemon),
             "pingreload": lambda tmp: case_ping_reload(tmp, daemon)}
    return hb.run_in_tmp(cases, case, "hb-ipfail-")


if __name__ == "__main__":
    sys.exit(main())
