#!/usr/bin/env python3
"""hb-linkd as two real nodes: two network namespaces on two LANs (a bridge namespace each),
a private dbus-daemon per node, a real hb-linkd per node (keepalive 100ms, deadtime 1,
warntime 500ms, initdead 2), and a third namespace on LAN 0 that forges and replays packets.

  linkd_test.py CASE DAEMON  CASE: bcast ucast mcast serial cut forged messages sigstop
                             link_test (hbctl link-test over a PTY pair; $HBCTL)
                             interop_{crc,md5,sha1}_{bcast,serial}: against Debian's heartbeat
                             3.0.6 from the rig's package layer (skips when it was not built)

Needs root (namespaces), iproute2, dbus-daemon, busctl; serial also socat. Exit 77 = skip.
Every namespace, process and file it makes is removed at the end; it only kills pids it started.
"""
import hashlib
import hmac
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import hbtest as hb  # noqa: E402
from hbtest import (SKIP, WAIT, Failure, check, path_encode, run,  # noqa: E402,F401
                    wait_until)

BUS = "io.github.hbcluster.link1"
ROOT = "/io/github/hbcluster/link1"
MANAGER = BUS + ".Manager"
OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"
SECRET = "s3cret-linkd-test"
LAN = [("192.0.2.", "lan0"), ("198.51.100.", "lan1")]
NODES = {"ha1": 11, "ha2": 12, "ha3": 14}  # host part of each node's addresses; evil is .13
FIRST_EXTRA_HOST = 20  # nodes not in NODES get .20, .21, ... in node_names order (up to .254)


def host_parts(node_names):
    """The host part of each node's addresses: NODES for the usual names, then the next free."""
    hosts = {"evil": 13}
    free = (h for h in range(FIRST_EXTRA_HOST, 255) if h not in NODES.values())
    for n in node_names:
        hosts[n] = NODES[n] if n in NODES else next(free)
    return hosts


def link_path(node, medium):
    return path_encode(ROOT + "/link", node + "/" + medium)


def peer_path(node):
    return path_encode(ROOT + "/peer", node)


class Monitor:
    """busctl monitor on a node's bus: the Manager's and the ObjectManager's signals."""

    def __init__(self, address, log):
        self.proc = subprocess.Popen(
            ["busctl", "--address=" + address, "--json=short", "monitor"],
            stdout=subprocess.PIPE, stderr=open(log, "w"), text=True)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buf = ""
        self.signals = []

    def poll(self):
        try:
            chunk = self.proc.stdout.read()
        except (BlockingIOError, TypeError):
            chunk = None
        if chunk:
            self.buf += chunk
            *lines, self.buf = self.buf.split("\n")
            for line in lines:
                try:
                    m = json.loads(line)
                except ValueError:
                    continue
                if m.get("type") == "signal" and m.get("interface") in (MANAGER, OBJECT_MANAGER):
                    self.signals.append((m["member"], m["payload"]["data"]))
        return self.signals

    def named(self, member):
        return [d for (mb, d) in self.poll() if mb == member]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Node:
    def __init__(self, rig, name, ha_cf, authkeys=None):
        self.rig, self.name = rig, name
        self.ns = rig.ns[name]
        self.tmp = os.path.join(rig.tmp, name)
        os.makedirs(self.tmp)
        self.confdir = os.path.join(self.tmp, "ha.d")
        os.makedirs(self.confdir)
        with open(os.path.join(self.confdir, "ha.cf"), "w") as f:
            f.write(ha_cf)
        ak = os.path.join(self.confdir, "authkeys")
        with open(ak, "w") as f:
            f.write(authkeys or f"auth 1\n1 sha1 {SECRET}\n")
        os.chmod(ak, 0o600)
        self.state = os.path.join(self.tmp, "state")
        os.makedirs(self.state)
        self.bus = hb.BusDaemon(self.tmp, hb.PERMISSIVE)
        self.notify = hb.Notify(self.tmp)
        # Off for callers that never read it (benches): an unread monitor's pipe fills up.
        self.monitor = (Monitor(self.bus.address, os.path.join(self.tmp, "monitor.log"))
                        if rig.monitors else None)
        self.proc = None
        self.extra_env = {}  # e.g. CREDENTIALS_DIRECTORY, as systemd would set it

    def start(self):
        env = hb.daemon_env(self.bus.address, self.notify, STATE_DIRECTORY=self.state,
                            **self.extra_env)
        self.log = os.path.join(self.tmp, "hb-linkd.log")
        # `ip netns exec` execs the daemon: the pid is hb-linkd's own.
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, self.rig.daemon, "--config-dir", self.confdir,
             "--node", self.name], env=env, stderr=open(self.log, "w"))
        check(self.notify.wait_for("READY=1"), f"{self.name}: READY=1")
        self.notify.drain()

    def wait_status(self, text):
        """Waits (bounded) for a STATUS= containing `text`."""
        try:
            wait_until(lambda: any(text in line for m in list(self.notify.messages)
                                   for line in m.split("\n") if line.startswith("STATUS=")),
                       f"STATUS= with {text!r}")
            return True
        except Failure:
            return False

    def restart(self):
        """SIGTERM, then a new hb-linkd with the same state dir (a new generation)."""
        self.proc.terminate()
        check(self.proc.wait(timeout=WAIT) == 0, f"{self.name}: clean exit on SIGTERM")
        self.restart_stopped()

    def restart_stopped(self):
        """Starts hb-linkd again after a stop."""
        self.notify.messages.clear()
        env = hb.daemon_env(self.bus.address, self.notify, STATE_DIRECTORY=self.state,
                            **self.extra_env)
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, self.rig.daemon, "--config-dir", self.confdir,
             "--node", self.name], env=env, stderr=open(self.log, "a"))
        # The drain thread keeps reading the socket: wait on what it collected.
        wait_until(lambda: any("READY=1" in m.split("\n") for m in list(self.notify.messages)),
                   f"{self.name}: READY=1 after the restart")

    def get(self, path, iface, prop):
        return hb.get_property(self.bus.address, BUS, path, iface, prop, timeout=WAIT,
                               none_on_timeout=True)

    def link_state(self, peer, medium):
        return self.get(link_path(peer, medium), BUS + ".Link", "State")

    def rejected(self, peer, medium):
        return self.get(link_path(peer, medium), BUS + ".Link", "Rejected") or {}

    def wait_link(self, peer, medium, state, timeout=WAIT):
        wait_until(lambda: self.link_state(peer, medium) == state,
                   f"{self.name}: link {peer}/{medium} {state}", timeout)
        print(f"ok: {self.name}: link {peer}/{medium} is {state}", flush=True)

    def call(self, *args):
        return run("busctl", "--address=" + self.bus.address, "call", BUS, ROOT, MANAGER, *args)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            hb.stop_process(self.proc, WAIT)
        if self.monitor is not None:
            self.monitor.stop()
        self.bus.stop()
        self.notify.sock.close()


class Rig:
    """node_names on `lans` LANs (LAN[0], LAN[1]: one bridge each), plus the attacker "evil" on
    LAN 0; `monitors` gives each node a busctl Monitor of hb-linkd's signals."""

    def __init__(self, daemon, namespaces=True, node_names=("ha1", "ha2"), lans=2,
                 monitors=True):
        self.daemon = daemon
        self.node_names = list(node_names)
        self.monitors = monitors
        self.tmp = tempfile.mkdtemp(prefix="hb-linkd-test-")
        os.chmod(self.tmp, 0o755)
        tag = f"hbl{os.getpid()}"
        self.ns = {n: f"{tag}{n}" for n in self.node_names}
        self.ns.update({"evil": tag + "c", "sw": tag + "s"})
        self.netns = hb.Namespaces()
        self.nodes = {}
        self.extra = []  # other processes we started (socat)
        self.mounts = []  # mounted by us, unmounted in reverse order
        self.heartbeat = None
        self.hosts = host_parts(self.node_names)
        if not namespaces:
            return
        try:
            self._wire(lans)
        except BaseException:  # half a rig (or Ctrl-C while making it) is not left behind
            self.netns.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def _wire(self, lans):
        for ns in self.ns.values():
            self.netns.add(ns)
        sw = self.ns["sw"]
        for i in range(lans):
            run("ip", "-n", sw, "link", "add", f"br{i}", "type", "bridge")
            run("ip", "-n", sw, "link", "set", f"br{i}", "up")
        members = [(n, lan) for n in self.node_names for lan in range(lans)] + [("evil", 0)]
        for who, lan in members:
            prefix, ifname = LAN[lan]
            port = f"{who[:4]}{lan}"
            self.netns.veth(self.ns[who], ifname, sw, port)
            run("ip", "-n", sw, "link", "set", port, "master", f"br{lan}")
            run("ip", "-n", sw, "link", "set", port, "up")
            run("ip", "-n", self.ns[who], "addr", "add", f"{prefix}{self.hosts[who]}/24", "brd",
                "+", "dev", ifname)
            run("ip", "-n", self.ns[who], "link", "set", ifname, "up")

    def ha_cf(self, media):
        return ("keepalive 100ms\ndeadtime 1\nwarntime 500ms\ninitdead 2\nudpport 694\n"
                "realtime off\nauto_failback on\n" + media +
                "".join(f"node {n}\n" for n in self.node_names))

    def start(self, media_for, authkeys=None):
        for name in self.node_names:
            self.nodes[name] = Node(self, name, self.ha_cf(media_for(name)), authkeys)
        for n in self.nodes.values():
            n.start()
        return [self.nodes[n] for n in self.node_names]

    def pty_pair(self):
        """Two PTYs joined by socat (stopped at teardown): their paths in the rig's tmp."""
        a, b = os.path.join(self.tmp, "ttyA"), os.path.join(self.tmp, "ttyB")
        p = subprocess.Popen(["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                             stderr=subprocess.DEVNULL)
        self.extra.append(p)
        wait_until(lambda: os.path.exists(a) and os.path.exists(b), "socat's PTY pair")
        return a, b

    def in_ns(self, who, *args):
        return run("ip", "netns", "exec", self.ns[who], sys.executable, os.path.abspath(__file__),
                   *args)

    def teardown(self):
        for n in self.nodes.values():
            try:
                n.stop()
            except Exception as e:  # keep tearing down
                print(f"teardown: {e}")
        if self.heartbeat is not None:
            self.heartbeat.stop()
        for p in self.extra:
            if p.poll() is None:
                p.terminate()
                p.wait()
        for m in reversed(self.mounts):
            subprocess.run(["umount", "-l", m], capture_output=True)
        self.netns.close()
        if os.environ.get("HB_KEEP_TMP"):
            print(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def dump_logs(self):
        if self.heartbeat is not None:
            try:
                with open(self.heartbeat.log) as f:
                    print("--- heartbeat 3.0.6 ha-log (tail)\n" + "".join(f.readlines()[-30:]))
            except OSError:
                pass
        for n in self.nodes.values():
            try:
                with open(n.log) as f:
                    print(f"--- {n.name} hb-linkd log (tail)\n" + "".join(f.readlines()[-30:]))
            except (OSError, AttributeError):
                pass


def both_up(ha1, ha2, media):
    for m in media:
        ha1.wait_link("ha2", m, "up")
        ha2.wait_link("ha1", m, "up")


# ---- packets made by the attacker in the third namespace ------------------------------------

def classic_packet(fields, key):
    body = "".join(f"{k}={v}\n" for k, v in fields)
    digest = hmac.new(key.encode(), body.encode(), hashlib.sha1).hexdigest()
    return (">>>\n" + body + f"auth=1 {digest}\n<<<\n").encode() + b"\0"


def helper_main(args):
    """Runs inside a namespace: `_send ADDR HEX` or `_capture SRCIP` (prints one packet's hex)."""
    if args[0] == "_send":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        s.sendto(bytes.fromhex(args[2]), (args[1], 694))
        return 0
    if args[0] == "_hold":
        # Holds a UDP port (without SO_REUSEADDR, so nobody else binds it) until killed.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(args[1])))
        print("bound", flush=True)
        signal.pause()
        return 0
    if args[0] == "_capture":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", 694))
        s.settimeout(WAIT)
        while True:
            data, (ip, _) = s.recvfrom(65536)
            if ip == args[1]:
                print(data.hex())
                return 0
    return 64


# ---- cases --------------------------------------------------------------------------------

def case_bcast(rig):
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n")
    both_up(ha1, ha2, ["lan0", "lan1"])
    gen = ha1.get(ROOT, MANAGER, "Generation")
    with open(os.path.join(ha1.state, "hb_generation")) as f:
        check(int(f.read().strip()) == gen and gen >= 1,
              f"Manager.Generation ({gen}) is what hb_generation holds")
    check(ha2.get(peer_path("ha1"), BUS + ".Peer", "Generation") == gen,
          "ha2's Peer ha1 has ha1's generation")
    check(ha1.get(link_path("ha2", "lan0"), BUS + ".Link", "PacketsReceived") > 0,
          "PacketsReceived counts")
    check(ha1.wait_status("2 links up to 1 peer of 1; generation %d" % gen),
          "STATUS= says 2 links up to 1 peer; generation")


def case_ucast(rig):
    ha1, ha2 = rig.start(lambda n: "ucast lan0 192.0.2.11\nucast lan0 192.0.2.12\n"
                                   "ucast lan1 198.51.100.11\nucast lan1 198.51.100.12\n")
    both_up(ha1, ha2, ["lan0", "lan1"])


def case_mcast(rig):
    ha1, ha2 = rig.start(lambda n: "mcast lan0 239.0.0.43 694 1 0\nmcast lan1 239.0.0.44 694 1 0\n")
    both_up(ha1, ha2, ["lan0", "lan1"])


def case_serial(rig):
    if shutil.which("socat") is None:
        print("SKIP: socat not installed")
        sys.exit(SKIP)
    a, b = rig.pty_pair()
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbaud 19200\nserial " + (a if n == "ha1" else b) + "\n")
    ha1.wait_link("ha2", a, "up")
    ha2.wait_link("ha1", b, "up")
    both_up(ha1, ha2, ["lan0"])


def case_cut(rig):
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n")
    both_up(ha1, ha2, ["lan0", "lan1"])
    run("ip", "-n", rig.ns["ha2"], "link", "set", "lan1", "down")
    ha1.wait_link("ha2", "lan1", "dead", timeout=5)
    check(ha1.link_state("ha2", "lan0") == "up", "ha1: the other link to ha2 (lan0) stays up")
    def dead():
        return [d for d in ha1.monitor.named("LinkChanged") if d[3] == "dead"]
    wait_until(dead, "LinkChanged ha2 lan1 -> dead")
    check(dead() and all(d[:2] == ["ha2", "lan1"] for d in dead()),
          "LinkChanged(ha2, lan1, ..., dead) signalled, and only for lan1")
    run("ip", "-n", rig.ns["ha2"], "link", "set", "lan1", "up")
    ha1.wait_link("ha2", "lan1", "up")
    # heartbeat's sentences, in hb-linkd's log (the one daemon that logs link entries).
    with open(ha1.log) as f:
        text = f.read()
    check("Link ha2:lan1 dead. Nothing heard on it for " in text and text.count("Link ha2:lan1 up.") == 2,
          "hb-linkd logged 'Link ha2:lan1 dead.' once and 'Link ha2:lan1 up.' at first contact "
          "and on return")


def case_forged(rig):
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n")
    both_up(ha1, ha2, ["lan0", "lan1"])
    captured = rig.in_ns("evil", "_capture", "192.0.2.12").stdout.strip()
    check(len(captured) > 0, "the third namespace captured one of ha2's packets")
    before = ha1.monitor.named("LinkChanged")[:]
    gen = ha1.get(peer_path("ha2"), BUS + ".Peer", "Generation")
    # Forged: right shape, claims ha2, signed with the wrong key; and a status from a "new
    # generation" that would make ha1 think ha2 restarted if it were believed.
    forged = classic_packet([("t", "status"), ("st", "active"), ("dt", "3e8"), ("src", "ha2"),
                             ("seq", "ffff"), ("hg", "%x" % (gen + 5)), ("ts", "0"),
                             ("ld", "n/a"), ("ttl", "3")], "wrong-key")
    rig.in_ns("evil", "_send", "192.0.2.255", forged.hex())
    rig.in_ns("evil", "_send", "192.0.2.255", captured)
    rig.in_ns("evil", "_send", "192.0.2.255", b"garbage\0".hex())
    wait_until(lambda: ha1.rejected("ha2", "lan0").get("auth", 0) >= 1, "auth reject counted")
    check(True, "forged packet counted as auth on ha1's link ha2/lan0")
    wait_until(lambda: ha1.rejected("ha2", "lan0").get("replay", 0) >= 1, "replay counted")
    check(True, "replayed packet counted as replay on ha1's link ha2/lan0")
    wait_until(lambda: ha1.rejected("ha2", "lan0").get("malformed", 0) >= 1, "garbage counted")
    check(True, "garbage counted as malformed")
    check(ha1.get(peer_path("ha2"), BUS + ".Peer", "Generation") == gen,
          "ha2's generation on ha1 unchanged")
    check(not ha1.monitor.named("PeerRestarted"), "no PeerRestarted")
    check(ha1.monitor.named("LinkChanged") == before, "no LinkChanged")
    check(ha1.link_state("ha2", "lan0") == "up", "link still up")


def case_messages(rig):
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n")
    both_up(ha1, ha2, ["lan0", "lan1"])
    r = ha1.call("SendMessage", "ssa{ss}", "", "hb-test", "2", "greeting", "hello world",
                 "n", "first")
    seq0 = int(r.stdout.split()[1])
    check(seq0 > 0, f"SendMessage returns a seq ({seq0})")
    burst = 30
    for i in range(burst):
        ha1.call("SendMessage", "ssa{ss}", "ha2" if i % 2 else "", "hb-test", "1", "n", str(i))
    # one addressed to a node that is not ha2 must not be delivered there; there is none in a
    # two-node cluster, so check unknown destinations are refused instead.
    bad = run("busctl", "--address=" + ha1.bus.address, "call", BUS, ROOT, MANAGER,
              "SendMessage", "ssa{ss}", "nosuchnode", "hb-test", "0", check_rc=False)
    check(bad.returncode != 0, "SendMessage to a node not in ha.cf is refused")
    bad = run("busctl", "--address=" + ha1.bus.address, "call", BUS, ROOT, MANAGER,
              "SendMessage", "ssa{ss}", "", "hb-test", "1", "src", "ha2", check_rc=False)
    check(bad.returncode != 0, "SendMessage refuses to set src")

    def got():
        return [d for d in ha2.monitor.named("MessageReceived") if d[1] == "hb-test"]
    msgs = wait_until(lambda: len(got()) >= burst + 1 and got(), f"{burst + 1} MessageReceived")
    check(msgs[0][0] == "ha1" and msgs[0][2].get("greeting") == "hello world"
          and msgs[0][2].get("n") == "first", "first message: source and fields")
    ns = [m[2]["n"] for m in msgs[1:]]
    check(ns == [str(i) for i in range(burst)], "the burst arrives complete and in order")
    seqs = [m[3] for m in msgs]
    check(seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "seqs increase")
    check(not [d for d in ha2.monitor.named("MessageReceived") if d[1] == "status"],
          "keepalives are never MessageReceived")
    check(not [d for d in ha1.monitor.named("MessageReceived") if d[1] == "hb-test"],
          "the sender does not receive its own messages")
    # heartbeat 3.0's node-list request, which a starting heartbeat waits on before it becomes
    # active: hb-linkd answers it with ha.cf's nodes, in heartbeat's format, and keeps it off the bus.
    ha1.call("SendMessage", "ssa{ss}", "ha2", "reqnodes", "0")
    replies = wait_until(lambda: [d for d in ha1.monitor.named("MessageReceived")
                                  if d[1] == "repnodes"], "ha2's t=repnodes")
    check(replies[0][0] == "ha2" and replies[0][2] == {"nodelist": "ha1 ha2 ", "delnodelist": " "},
          f"ha2 answers t=reqnodes with nodelist='ha1 ha2 ' delnodelist=' ' ({replies[0][2]})")
    check(not [d for d in ha2.monitor.named("MessageReceived") if d[1] == "reqnodes"],
          "the request is not MessageReceived on ha2's bus")


def case_sigstop(rig):
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n")
    both_up(ha1, ha2, ["lan0", "lan1"])
    os.kill(ha2.proc.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    ha1.wait_link("ha2", "lan0", "dead", timeout=5)
    ha1.wait_link("ha2", "lan1", "dead", timeout=5)
    took = time.monotonic() - t0
    check(0.8 <= took <= 2.0, f"dead after {took:.2f}s (deadtime 1 s)")
    os.kill(ha2.proc.pid, signal.SIGCONT)
    both_up(ha1, ha2, ["lan0", "lan1"])
    check(not ha1.monitor.named("PeerRestarted"), "no PeerRestarted (same generation)")


def case_link_test(rig):
    """hbctl link-test on both ends of a socat PTY pair at once; then one end alone."""
    hbctl = os.environ.get("HBCTL")
    if not hbctl or shutil.which("socat") is None:
        print("SKIP: socat or HBCTL missing")
        sys.exit(SKIP)
    a, b = rig.pty_pair()
    both = [subprocess.Popen([hbctl, "link-test", dev, "--timeout", "5", "--label", lab],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for dev, lab in ((a, "left"), (b, "right"))]
    outs = [x.communicate(timeout=WAIT) for x in both]
    check(all(x.returncode == 0 for x in both),
          "both ends exit 0: " + " | ".join(o[0].strip().replace("\n", " ") for o in outs))
    check("right" in outs[0][0] and "left" in outs[1][0], "each side names the other")
    t0 = time.monotonic()
    alone = run(hbctl, "link-test", a, "--timeout", "1", check_rc=False)
    took = time.monotonic() - t0
    check(alone.returncode == 1 and took < 3, f"alone: exit 1 after {took:.1f}s: "
          + alone.stderr.strip())


def heartbeat_layer():
    """The rig's cached package layer holding Debian's heartbeat 3.0.6, if one was built."""
    for tree in sorted(glob.glob("/var/cache/hb-rig/pkgs-*/tree")):
        if os.path.exists(os.path.join(tree, "usr/libexec/heartbeat/heartbeat")):
            return tree
    return None


class Heartbeat:
    """Debian's heartbeat 3.0.6 as node ha2: chrooted into an overlay of the rig's package layer
    over the host's root (nothing installed on the host), in ha2's network namespace, with its
    own UTS namespace so uname -n says ha2."""

    def __init__(self, rig, layer, ha_cf, authkeys):
        self.rig = rig
        self.base = os.path.join(rig.tmp, "hb3")
        os.makedirs(self.base)
        run("mount", "-t", "tmpfs", "hb-linkd-interop", self.base)
        rig.mounts.append(self.base)
        for d in ("upper", "work", "root"):
            os.makedirs(os.path.join(self.base, d))
        # Overlay refuses a lower layer inside the / it stacks on: copy it onto the tmpfs.
        shutil.copytree(layer, os.path.join(self.base, "pkgs"), symlinks=True)
        self.root = os.path.join(self.base, "root")
        run("mount", "-t", "overlay", "overlay", "-o",
            f"lowerdir={self.base}/pkgs:/,upperdir={self.base}/upper,workdir={self.base}/work",
            self.root)
        rig.mounts.append(self.root)
        etc = os.path.join(self.root, "etc/ha.d")
        with open(os.path.join(etc, "ha.cf"), "w") as f:
            f.write(ha_cf + "use_logd no\nlogfile /var/log/ha-log\ncrm off\n")
        with open(os.path.join(etc, "authkeys"), "w") as f:
            f.write(authkeys)
        os.chmod(os.path.join(etc, "authkeys"), 0o600)
        open(os.path.join(etc, "haresources"), "w").close()
        for d in ("var/log", "run/heartbeat/ccm", "run/heartbeat/dopd", "run/heartbeat/rsctmp",
                  "run/lock"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        self.log = os.path.join(self.root, "var/log/ha-log")
        self.pid = None

    def start(self):
        r = self.root
        run("ip", "netns", "exec", self.rig.ns["ha2"], "unshare", "--uts", "--mount",
            "--propagation", "private", "sh", "-c",
            f"hostname ha2 && mount --bind /proc {r}/proc && mount --rbind /dev {r}/dev && "
            f"exec chroot {r} /usr/libexec/heartbeat/heartbeat")
        pidfile = os.path.join(r, "run/heartbeat.pid")
        wait_until(lambda: os.path.exists(pidfile) and open(pidfile).read().strip(),
                   "heartbeat's pid file")
        self.pid = int(open(pidfile).read().strip())
        print(f"ok: heartbeat 3.0.6 started as ha2 (pid {self.pid})", flush=True)

    def logged(self, text):
        try:
            with open(self.log) as f:
                return text in f.read()
        except OSError:
            return False

    def stop(self):
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGTERM)
            wait_until(lambda: not os.path.exists(f"/proc/{self.pid}"), "heartbeat to exit")
        except (ProcessLookupError, Failure):
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.pid = None


def run_interop(rig, auth, medium):
    """hb-linkd (ha1) and heartbeat 3.0.6 (ha2) see each other's heartbeats as valid."""
    layer = heartbeat_layer()
    if layer is None:
        print("SKIP: no heartbeat package layer (build it: tests/rig/rig up --packages heartbeat)")
        sys.exit(SKIP)
    method = {"crc": "crc", "md5": f"md5 {SECRET}", "sha1": f"sha1 {SECRET}"}[auth]
    authkeys = f"auth 3\n3 {method}\n"
    base = ("keepalive 100ms\ndeadtime 1\nwarntime 500ms\ninitdead 2\nudpport 694\n"
            "auto_failback on\n")
    if medium == "serial":
        if shutil.which("socat") is None:
            print("SKIP: socat not installed")
            sys.exit(SKIP)
        a, b = rig.pty_pair()
        mine, theirs = a, os.path.realpath(b)
        media_ha1, media_ha2 = f"baud 19200\nserial {a}\n", f"baud 19200\nserial {theirs}\n"
    else:
        mine = theirs = "lan0"
        media_ha1 = media_ha2 = "bcast lan0\n"
    hb3 = Heartbeat(rig, layer, base + media_ha2 + "node ha1\nnode ha2\n", authkeys)
    rig.heartbeat = hb3
    ha1 = Node(rig, "ha1", base + "realtime off\n" + media_ha1 + "node ha1\nnode ha2\n")
    with open(os.path.join(ha1.confdir, "authkeys"), "w") as f:
        f.write(authkeys)
    rig.nodes["ha1"] = ha1
    hb3.start()
    ha1.start()
    ha1.wait_link("ha2", mine, "up")
    wait_until(lambda: hb3.logged(f"Link ha1:{theirs} up."), "heartbeat: Link ha1 up")
    check(True, f"heartbeat 3.0.6 logs 'Link ha1:{theirs} up.'")
    wait_until(lambda: hb3.logged("Status update for node ha1: status active"),
               "heartbeat: ha1 active")
    check(True, "heartbeat 3.0.6 logs 'Status update for node ha1: status active'")
    # Before heartbeat's first status reached hb-linkd, a cluster message of its new run is
    # refused by design (docs/wire-rules.md, rule 3): heartbeat ran first and its packets
    # waited in the serial line. Nothing else may be refused, then or later.
    early = ha1.rejected("ha2", mine)
    check(set(early) <= {"unconfirmed-generation"},
          f"hb-linkd refused nothing of heartbeat's but what came before its first status "
          f"(refused: {early})")
    # Some more heartbeats both ways, then nothing more was refused and the link never dropped.
    seen = ha1.get(link_path("ha2", mine), BUS + ".Link", "PacketsReceived")
    wait_until(lambda: ha1.get(link_path("ha2", mine), BUS + ".Link", "PacketsReceived")
               >= seen + 10, "ten more packets from heartbeat")
    refused = ha1.rejected("ha2", mine)
    check(refused == early, f"hb-linkd refused none of heartbeat's later packets "
          f"(refused: {refused})")
    check(ha1.link_state("ha2", mine) == "up", "hb-linkd: link to heartbeat still up")
    check(not hb3.logged("failed authentication"), "heartbeat refused none of hb-linkd's packets")
    check(not hb3.logged("node ha1: is dead") or hb3.logged("Status update for node ha1"),
          "heartbeat sees ha1 alive")


for _auth in ("crc", "md5", "sha1"):
    for _medium in ("bcast", "serial"):
        globals()[f"case_interop_{_auth}_{_medium}"] = (
            lambda rig, a=_auth, m=_medium: run_interop(rig, a, m))


def case_restart(rig):
    """A restarted peer comes back with the next generation: PeerRestarted, once."""
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n")
    both_up(ha1, ha2, ["lan0", "lan1"])
    gen = ha2.get(ROOT, MANAGER, "Generation")
    ha2.restart()
    check(ha2.get(ROOT, MANAGER, "Generation") == gen + 1, "ha2's generation went up by one")
    wait_until(lambda: ha1.monitor.named("PeerRestarted"), "PeerRestarted on ha1")
    check(ha1.monitor.named("PeerRestarted") == [["ha2", gen + 1]],
          "ha1 signals PeerRestarted(ha2, new generation) once")
    check(ha1.get(peer_path("ha2"), BUS + ".Peer", "Generation") == gen + 1,
          "ha1's Peer ha2 has the new generation")
    both_up(ha1, ha2, ["lan0", "lan1"])


def peer_generations(node):
    """hb-linkd's hb_peer_generations in the node's state directory, as {node: generation}."""
    try:
        with open(os.path.join(node.state, "hb_peer_generations")) as f:
            lines = [ln.split() for ln in f if ln.strip() and not ln.startswith("#")]
    except FileNotFoundError:
        return {}
    return {a: int(b) for a, b in lines}


def case_forget(rig):
    """docs/wire-rules.md: a peer's generation is persisted; a peer whose generation started
    over (a replaced disk) is refused as old-generation until `hbctl forget-generation`
    (link1.Manager.ForgetGeneration, root only) makes this node forget it."""
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n")
    both_up(ha1, ha2, ["lan0", "lan1"])
    gen = ha2.get(ROOT, MANAGER, "Generation")
    check(gen >= 1700000000, f"no hb_generation at first: the wall clock ({gen})")
    wait_until(lambda: peer_generations(ha1).get("ha2") == gen, "ha2's generation persisted")
    check(True, f"ha1 persisted ha2's generation {gen} in its state directory")
    check(ha1.get(ROOT, MANAGER, "Warnings") == [], "sha1 keys: no Warnings")
    # ha2's disk is replaced: its counter starts over far below what ha1 remembers.
    ha2.proc.terminate()
    check(ha2.proc.wait(timeout=WAIT) == 0, "ha2: clean exit")
    with open(os.path.join(ha2.state, "hb_generation"), "w") as f:
        f.write("4\n")
    ha2.restart_stopped()
    check(ha2.get(ROOT, MANAGER, "Generation") == 5, "ha2 restarted with generation 5")
    wait_until(lambda: ha1.rejected("ha2", "lan0").get("old-generation", 0) >= 3,
               "old-generation counted")
    check(True, "ha1 refuses ha2's packets as old-generation")
    ha1.wait_link("ha2", "lan0", "dead", timeout=10)
    # Refused without privileges (sd-bus' own check: the bus here lets everyone through).
    r = hb.busctl(ha1.bus.address, "call", BUS, ROOT, MANAGER, "ForgetGeneration", "s", "ha2",
                  user=65534)
    check(r.returncode != 0 and ("Access denied" in r.stderr or "denied" in r.stderr.lower()),
          "uid 65534 may not call ForgetGeneration: " + r.stderr.strip())
    r = hb.busctl(ha1.bus.address, "call", BUS, ROOT, MANAGER, "ForgetGeneration", "s", "ha9")
    check(r.returncode != 0 and "not another node" in r.stderr,
          "ForgetGeneration of a node not in ha.cf is refused: " + r.stderr.strip())
    hbctl = os.environ.get("HBCTL")
    if hbctl:
        r = subprocess.run([hbctl, "forget-generation", "ha2"], capture_output=True, text=True,
                           env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=ha1.bus.address),
                           timeout=WAIT)
        check(r.returncode == 0, f"hbctl forget-generation ha2: {r.stdout}{r.stderr}")
    else:
        hb.busctl(ha1.bus.address, "call", BUS, ROOT, MANAGER, "ForgetGeneration", "s", "ha2")
    both_up(ha1, ha2, ["lan0", "lan1"])
    wait_until(lambda: peer_generations(ha1).get("ha2") == 5, "ha2's new generation persisted")
    check(True, "ha1 hears ha2 again and persists its generation 5")
    check(ha1.get(peer_path("ha2"), BUS + ".Peer", "Generation") == 5, "Peer.Generation is 5")
    with open(ha1.log) as f:
        check("forgot generation" in f.read(), "the forgetting is logged")


def case_crc_warning(rig):
    """crc over UDP beside a sha1 key still runs, and says so in Warnings."""
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n",
                         authkeys=f"auth 2\n2 crc\n3 sha1 {SECRET}\n")
    both_up(ha1, ha2, ["lan0", "lan1"])
    codes = [c for c, _ in ha1.get(ROOT, MANAGER, "Warnings")]
    check(codes == ["weak-auth-crc-udp", "crc-beside-strong-keys"],
          f"Warnings: weak-auth-crc-udp and crc-beside-strong-keys ({codes})")


def warnings_of(node):
    return {c: t for c, t in node.get(ROOT, MANAGER, "Warnings") or []}


def hbctl_status(node):
    """`hbctl status` against the node's bus (exit 3 here: no hb-membershipd), its text."""
    r = subprocess.run([os.environ["HBCTL"], "status"], capture_output=True, text=True,
                       env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=node.bus.address),
                       timeout=WAIT)
    return r.stdout


def case_config_differs(rig):
    """Every status carries the sender's cluster-wide configuration digest (hb_config): a peer
    whose haresources differ is a config-differs Warning on both nodes, in `hbctl status`; the
    same files again clear it on both. What may differ per node (here ha2's logfile) does not."""
    ha1, ha2 = rig.start(lambda n: "bcast lan0\nbcast lan1\n" +
                         (f"logfile {rig.tmp}/{n}-ha-log\n" if n == "ha2" else ""))
    both_up(ha1, ha2, ["lan0", "lan1"])
    for n in (ha1, ha2):
        check("config-differs" not in warnings_of(n), f"{n.name}: the same cluster, no warning")
    with open(os.path.join(ha2.confdir, "haresources"), "w") as f:
        f.write("ha2 192.0.2.99\n")
    ha2.restart()
    for n, peer in ((ha1, "ha2"), (ha2, "ha1")):
        wait_until(lambda: "config-differs" in warnings_of(n), f"{n.name}: config-differs")
        text = warnings_of(n)["config-differs"]
        check(f"configuration of {peer} (" in text and "haresources" in text,
              f"{n.name}'s warning names {peer} and what to compare: {text}")
        out = hbctl_status(n)
        check(f"hb-linkd: config-differs: the cluster-wide configuration of {peer}" in out,
              f"hbctl status on {n.name} shows it:\n{out}")
    os.unlink(os.path.join(ha2.confdir, "haresources"))
    ha2.restart()
    for n in (ha1, ha2):
        wait_until(lambda: "config-differs" not in warnings_of(n),
                   f"{n.name}: config-differs cleared")
        check(True, f"{n.name}: the same files again, the warning is gone")


def hbctl_reload(node, *extra):
    """`hbctl reload` for the node's files against its bus: (exit status, stdout, stderr)."""
    r = subprocess.run([os.environ["HBCTL"], "reload", "--config-dir", node.confdir, "--node",
                        node.name, *extra], capture_output=True, text=True,
                       env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=node.bus.address),
                       timeout=WAIT)
    return r.returncode, r.stdout, r.stderr


def log_of(node):
    with open(node.log) as f:
        return f.read()


def case_reload(rig):
    """hbctl reload: a changed warntime applies live (the next late heartbeat is reported after
    the new one, no link or peer restarts); a broken ha.cf is refused with file:line before any
    daemon is asked; a change that needs a restart (msgfmt) or that a daemon cannot follow live
    yet (ping) is refused by name and nothing of the reload is applied; non-root callers are
    refused."""
    ha1, ha2 = rig.start(lambda n: "bcast lan0\n")
    both_up(ha1, ha2, ["lan0"])
    ha_cf = os.path.join(ha1.confdir, "ha.cf")
    with open(ha_cf) as f:
        original = f.read()
    gen = ha1.get(ROOT, MANAGER, "Generation")

    with open(ha_cf, "w") as f:
        f.write(original + "warntime 300ms\n")
    rc, out, err = hbctl_reload(ha1)
    check(rc == 0 and out.strip() == "hb-linkd: applied warntime",
          f"hbctl reload applies warntime: {rc} {out!r} {err!r}")
    check("reloaded: warntime 500 ms -> 300 ms" in log_of(ha1), "hb-linkd logs what it applied")
    conf = ha1.get(ROOT, MANAGER, "Configuration") or {}
    check(conf.get("warntime") == "300 ms" and conf.get("deadtime") == "1 s",
          f"the Configuration property shows the new warntime: {conf}")
    rc, out, _ = hbctl_reload(ha1)
    check(rc == 0 and out.strip() == "hb-linkd: nothing changed", "again: nothing changed")
    check(ha1.get(ROOT, MANAGER, "Generation") == gen, "hb-linkd was not restarted")
    check(ha1.link_state("ha2", "lan0") == "up", "the link stayed up")
    # The new warntime in force: ha2 stops, ha1 reports it late after 300 ms, not 500 ms.
    os.kill(ha2.proc.pid, signal.SIGSTOP)
    ha1.wait_link("ha2", "lan0", "dead", timeout=10)
    os.kill(ha2.proc.pid, signal.SIGCONT)
    check("no heartbeat from ha2 on lan0 for 300 ms (warntime)" in log_of(ha1),
          "the late heartbeat is reported after the new warntime")
    both_up(ha1, ha2, ["lan0"])

    with open(ha_cf, "w") as f:
        f.write(original + "warntime 200ms\nkeepalive 2\n")
    rc, _, err = hbctl_reload(ha1)
    check(rc == 65 and "ha.cf:" in err and "twice keepalive" in err,
          f"a broken ha.cf: exit 65 with file:line ({rc}, {err.strip()!r})")
    check("reload refused" not in log_of(ha1), "hb-linkd was not even asked")

    with open(ha_cf, "w") as f:
        f.write(original + "warntime 200ms\nnode ha3\nmsgfmt netstring\n")
    rc, _, err = hbctl_reload(ha1)
    check(rc == 1 and "msgfmt: needs a restart of hb.target" in err and "node:" not in err,
          f"msgfmt is refused by name (node alone would be pending): {rc} {err.strip()!r}")
    check(log_of(ha1).count("reloaded:") == 1, "nothing of that reload was applied")
    with open(ha_cf, "w") as f:
        f.write(original + "warntime 300ms\n")
    rc, out, _ = hbctl_reload(ha1)
    check(rc == 0 and out.strip() == "hb-linkd: nothing changed",
          "warntime is still the one applied before")

    # A ping node added and removed: hb-linkd's part is the ttl its packets carry.
    for extra in ("ping 192.0.2.1\n", ""):
        with open(ha_cf, "w") as f:
            f.write(original + "warntime 300ms\n" + extra)
        rc, out, err = hbctl_reload(ha1)
        check(rc == 0 and out.strip() == "hb-linkd: applied ping",
              f"ping {'added' if extra else 'removed'}: {rc} {out!r} {err!r}")
    check(log_of(ha1).count("reloaded: ping (ttl ") == 2, "hb-linkd logs the new ttl each time")

    # systemd's path (each unit's ExecReload=): one daemon at a time.
    with open(ha_cf, "w") as f:
        f.write(original + "warntime 400ms\n")
    rc, out, err = hbctl_reload(ha1, "--daemon", "hb-linkd")
    check(rc == 0 and out.strip() == "hb-linkd: applied warntime",
          f"--daemon hb-linkd applies warntime: {rc} {out!r} {err!r}")
    rc, _, err = hbctl_reload(ha1, "--daemon", "ipfaild")
    check(rc == 69 and "ipfaild" in err, f"--daemon ipfaild, not running: exit 69 ({rc} {err!r})")
    rc, _, _ = hbctl_reload(ha1, "--daemon", "hb-nothing")
    check(rc == 64, f"--daemon of no daemon: usage error ({rc})")

    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        os.environ["HBCTL"], "reload", "--config-dir", ha1.confdir],
                       capture_output=True, text=True, timeout=WAIT,
                       env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=ha1.bus.address))
    check(r.returncode == 4 and "only root" in r.stderr,
          f"hbctl reload as uid 65534: exit 4 ({r.returncode}, {r.stderr.strip()!r})")


def case_rotate_keys(rig):
    """heartbeat's key rotation through hbctl reload, each step on one node and then the other
    (in either order): a key line added, then `auth` switched to it, then the old line removed.
    ha1 runs as under systemd, with the copy of authkeys it was handed at start
    (CREDENTIALS_DIRECTORY), which the rotation leaves behind: the keys reach it only as the
    descriptor hbctl hands over. Throughout, no link goes dead and no packet is rejected; after
    the rotation the old key is gone from both, so the heartbeats that keep the links up are
    signed with the new one. A key file open to others is refused before any daemon is asked."""
    for name in rig.node_names:
        rig.nodes[name] = Node(rig, name, rig.ha_cf("bcast lan0\n"))
    ha1, ha2 = rig.nodes["ha1"], rig.nodes["ha2"]
    creds = os.path.join(ha1.tmp, "credentials")
    os.makedirs(creds, mode=0o700)
    shutil.copy(os.path.join(ha1.confdir, "authkeys"), os.path.join(creds, "authkeys"))
    os.chmod(os.path.join(creds, "authkeys"), 0o600)
    ha1.extra_env = {"CREDENTIALS_DIRECTORY": creds}
    ha1.start()
    ha2.start()
    both_up(ha1, ha2, ["lan0"])
    rc, out, _ = hbctl_reload(ha1)
    check(rc == 0 and out.strip().startswith("hb-linkd: nothing changed"), f"unchanged: {out!r}")

    def received(node, peer):
        return int(node.get(link_path(peer, "lan0"), BUS + ".Link", "PacketsReceived") or 0)

    def step(node, text, what):
        with open(os.path.join(node.confdir, "authkeys"), "w") as f:
            f.write(text)
        rc, out, err = hbctl_reload(node)
        check(rc == 0 and "hb-linkd: applied authkeys" in out,
              f"{node.name}: {what}: {rc} {out.strip()!r} {err.strip()!r}")
        # Heartbeats keep arriving both ways after the step (each link's count grows).
        for a, b in ((ha1, ha2), (ha2, ha1)):
            before = received(a, b.name)
            wait_until(lambda: received(a, b.name) >= before + 3,
                       f"{a.name}: heartbeats from {b.name} after {node.name}'s step")
        check(ha1.link_state("ha2", "lan0") == "up" and ha2.link_state("ha1", "lan0") == "up",
              f"both links up after {node.name}: {what}")

    old = f"1 sha1 {SECRET}\n"
    new = "2 sha1 the-next-secret\n"
    step(ha1, "auth 1\n" + old + new, "key 2 added")
    step(ha2, "auth 1\n" + old + new, "key 2 added")
    step(ha2, "auth 2\n" + old + new, "signs with key 2")
    step(ha1, "auth 2\n" + old + new, "signs with key 2")
    step(ha1, "auth 2\n" + new, "key 1 removed")
    step(ha2, "auth 2\n" + new, "key 1 removed")
    check("authkeys (signing with key 2, 1 accepted)" in log_of(ha1), "ha1 logs the keys applied")
    for n in (ha1, ha2):
        conf = n.get(ROOT, MANAGER, "Configuration") or {}
        check(conf.get("auth") == "2" and conf.get("keys") == "2",
              f"{n.name}: the Configuration property shows key 2 alone: {conf}")
    for n, peer in ((ha1, "ha2"), (ha2, "ha1")):
        check(not [d for d in n.monitor.named("LinkChanged") if d[3] == "dead"],
              f"{n.name}: no link went dead")
        check(not n.rejected(peer, "lan0"), f"{n.name}: nothing rejected: {n.rejected(peer, 'lan0')}")

    ak = os.path.join(ha1.confdir, "authkeys")
    os.chmod(ak, 0o644)
    rc, _, err = hbctl_reload(ha1)
    check(rc == 65 and "authkeys" in err, f"a key file open to others: exit 65 ({err.strip()!r})")
    os.chmod(ak, 0o600)


def tty_lock(device):
    """The UUCP lock file hb-linkd takes for `device` (common/sys/media/tty_lock.cpp)."""
    lock_dir = "/run/lock" if os.path.isdir("/run/lock") else "/var/lock"
    return os.path.join(lock_dir, "LCK.." + os.path.basename(device))


def case_reload_media(rig):
    """hbctl reload adds and removes media live: a second LAN (and, with socat, a serial line)
    added on both nodes comes up on both; a serial device that does not exist is refused by name
    before anything changes, and a port another program holds when applying, the old socket
    reopened; a udpport change reopens the one medium it moves; removed again, its Link objects
    go (InterfacesRemoved) with no dead transition. Throughout, the link on the medium that
    stays never leaves `up`, no LinkChanged says dead, and neither hb-linkd restarts. Deadtime
    is 4 s here: a medium one node has and the other not yet may be late between the two
    reloads, never dead."""
    def slow_ha_cf(media):
        return rig.ha_cf(media).replace("deadtime 1\n", "deadtime 4\n").replace(
            "initdead 2\n", "initdead 8\n")

    for name in rig.node_names:
        rig.nodes[name] = Node(rig, name, slow_ha_cf("bcast lan0\n"))
    ha1, ha2 = rig.nodes["ha1"], rig.nodes["ha2"]
    ha1.start()
    ha2.start()
    both_up(ha1, ha2, ["lan0"])
    gens = {n.name: n.get(ROOT, MANAGER, "Generation") for n in (ha1, ha2)}
    serial = shutil.which("socat") is not None
    ttys = rig.pty_pair() if serial else (None, None)
    tty_of = {"ha1": ttys[0], "ha2": ttys[1]}

    def write(node, media):
        with open(os.path.join(node.confdir, "ha.cf"), "w") as f:
            f.write(slow_ha_cf(media))

    def added(node):
        return "bcast lan0\nbcast lan1\n" + (f"serial {tty_of[node.name]}\n" if serial else "")

    # A device that is not there: refused by name, nothing applied.
    write(ha1, "bcast lan0\nbcast lan1\nserial /dev/hb-no-such-tty\n")
    rc, out, err = hbctl_reload(ha1)
    check(rc == 1 and "serial /dev/hb-no-such-tty: no such device" in err,
          f"a missing serial device is refused by name: {rc} {out!r} {err!r}")
    check(ha1.link_state("ha2", "lan1") is None, "nothing of it applied: no link on lan1")

    for n in (ha1, ha2):
        write(n, added(n))
        rc, out, err = hbctl_reload(n)
        check(rc == 0 and "hb-linkd: applied" in out and "bcast" in out
              and (not serial or "serial" in out),
              f"{n.name}: the new media applied: {rc} {out!r} {err!r}")
        check("bcast lan1 opened" in log_of(n), f"{n.name}: logs the medium it opened")
    both_up(ha1, ha2, ["lan0", "lan1"])
    if serial:
        ha1.wait_link("ha2", ttys[0], "up")
        ha2.wait_link("ha1", ttys[1], "up")
        check(os.path.exists(tty_lock(ttys[0])),
              f"ha1 holds the tty lock of the added line ({tty_lock(ttys[0])})")

    # lan1 moved to a port another program holds: the check cannot know it, applying fails
    # after lan1's socket was closed for the new one, and the old one is opened again.
    holder = subprocess.Popen(["ip", "netns", "exec", rig.ns["ha1"], sys.executable,
                               os.path.abspath(__file__), "_hold", "695"],
                              stdout=subprocess.PIPE, text=True)
    rig.extra.append(holder)
    check(holder.stdout.readline().strip() == "bound", "a program holds UDP port 695 on ha1")
    write(ha1, "bcast lan0\nwarntime 400ms\nudpport 695\n" + added(ha1)[len("bcast lan0\n"):])
    rc, out, err = hbctl_reload(ha1)
    check(rc == 1 and "bcast lan1: cannot open: Address already in use" in err,
          f"a medium that cannot open is refused by name: {rc} {out!r} {err!r}")
    conf = ha1.get(ROOT, MANAGER, "Configuration") or {}
    check(conf.get("warntime") == "500 ms", f"nothing of it applied: warntime as it was ({conf})")
    holder.terminate()
    holder.wait()
    for a, b in ((ha1, ha2), (ha2, ha1)):
        before = int(a.get(link_path(b.name, "lan1"), BUS + ".Link", "PacketsReceived") or 0)
        wait_until(lambda: int(a.get(link_path(b.name, "lan1"), BUS + ".Link", "PacketsReceived")
                               or 0) >= before + 3,
                   f"{a.name}: heartbeats from {b.name} on lan1 again, on port 694")
    check(ha1.link_state("ha2", "lan1") == "up", "lan1 is up on its old port")
    # The port free: lan1 moves to it on both nodes, reopened in place.
    for n in (ha1, ha2):
        write(n, "bcast lan0\nudpport 695\n" + added(n)[len("bcast lan0\n"):])
        rc, out, err = hbctl_reload(n)
        check(rc == 0 and "udpport" in out, f"{n.name}: udpport applied: {rc} {out!r} {err!r}")
    check("bcast lan1 closed, bcast lan1 opened" in log_of(ha1), "ha1 reopened lan1 alone")
    for a, b in ((ha1, ha2), (ha2, ha1)):
        before = int(a.get(link_path(b.name, "lan1"), BUS + ".Link", "PacketsReceived") or 0)
        wait_until(lambda: int(a.get(link_path(b.name, "lan1"), BUS + ".Link", "PacketsReceived")
                               or 0) >= before + 3,
                   f"{a.name}: heartbeats from {b.name} on lan1, on port 695")

    for n in (ha1, ha2):
        write(n, "bcast lan0\n")
        rc, out, err = hbctl_reload(n)
        check(rc == 0 and "hb-linkd: applied" in out and "bcast" in out,
              f"{n.name}: the media removed: {rc} {out!r} {err!r}")
        check("Link " + ("ha2" if n is ha1 else "ha1") + ":lan1 removed by a reload." in log_of(n),
              f"{n.name}: logs the link it removed")
    for n, peer in ((ha1, "ha2"), (ha2, "ha1")):
        gone = [link_path(peer, "lan1")] + ([link_path(peer, tty_of[n.name])] if serial else [])
        wait_until(lambda: all(any(d[0] == g for d in n.monitor.named("InterfacesRemoved"))
                               for g in gone), f"{n.name}: InterfacesRemoved for {gone}")
        check(n.link_state(peer, "lan1") is None, f"{n.name}: the Link object of lan1 is gone")
        check(n.link_state(peer, "lan0") == "up", f"{n.name}: lan0 is up")
        changes = n.monitor.named("LinkChanged")
        check(not [d for d in changes if d[3] == "dead"], f"{n.name}: no link went dead: {changes}")
        check(not [d for d in changes if d[1] == "lan0" and d[3] != "up"],
              f"{n.name}: lan0 never left up: {changes}")
        check(n.get(ROOT, MANAGER, "Generation") == gens[n.name], f"{n.name}: not restarted")
    if serial:
        check(not os.path.exists(tty_lock(ttys[0])),
              f"the tty lock is released with the line ({tty_lock(ttys[0])})")
    # Heartbeats still flow on the medium that stayed.
    before = int(ha1.get(link_path("ha2", "lan0"), BUS + ".Link", "PacketsReceived") or 0)
    wait_until(lambda: int(ha1.get(link_path("ha2", "lan0"), BUS + ".Link", "PacketsReceived")
                           or 0) >= before + 3, "ha1: heartbeats from ha2 on lan0")


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}


def main():
    if sys.argv[1].startswith("_"):
        return helper_main(sys.argv[1:])
    case, daemon = sys.argv[1], sys.argv[2]
    why = hb.skip_reason("needs root (network namespaces)", ("ip", "dbus-daemon", "busctl"))
    if why:
        print(why)
        return SKIP
    rig = Rig(daemon, namespaces=case not in ("link_test",))
    return hb.run_case(lambda: CASES[case](rig), on_failure=rig.dump_logs, cleanup=rig.teardown)

if __name__ == "__main__":
    sys.exit(main())
