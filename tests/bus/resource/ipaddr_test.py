#!/usr/bin/env python3
"""hb-ipaddr in two network namespaces joined by a veth pair: start puts the cluster address on
the interface whose subnet holds it (with its broadcast) and a peer sees the gratuitous ARPs;
status answers 0/3; stop removes it. Needs root and iproute2 (exit 77 = skip otherwise)."""
import os
import shutil
import socket
import struct
import subprocess
import sys
import time

EXE = sys.argv[1]
TAG = "hbip%d" % os.getpid()
NS_A, NS_B = TAG + "a", TAG + "b"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def sh(*cmd, ns=None, **kw):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=20, **kw)


def addrs(ns):
    return sh("ip", "-4", "-o", "addr", "show", "dev", "a0", ns=ns).stdout


# Runs inside the peer namespace: prints one line per gratuitous ARP for the address.
SNIFFER = r"""
import socket, struct, sys, time
want = socket.inet_aton(sys.argv[1])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind(("b0", 0))
s.settimeout(0.2)
print("ready", flush=True)
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    try:
        frame = s.recv(2048)
    except socket.timeout:
        continue
    arp = frame[14:42]
    if len(arp) < 28: continue
    spa, tpa = arp[14:18], arp[24:28]
    if spa == want and tpa == want:
        print("garp %.3f %s" % (time.monotonic(), frame[6:12].hex()), flush=True)
"""


def main():
    if os.geteuid() != 0 or not shutil.which("ip"):
        print("SKIP: needs root and iproute2")
        return 77
    try:
        for ns in (NS_A, NS_B):
            if sh("ip", "netns", "add", ns).returncode != 0:
                print("SKIP: cannot create network namespaces")
                return 77
        sh("ip", "link", "add", "a0", "netns", NS_A, "type", "veth", "peer", "b0", "netns", NS_B)
        sh("ip", "addr", "add", "198.51.100.1/24", "brd", "+", "dev", "a0", ns=NS_A)
        sh("ip", "addr", "add", "198.51.100.2/24", "brd", "+", "dev", "b0", ns=NS_B)
        for ns, dev in ((NS_A, "a0"), (NS_B, "b0")):
            sh("ip", "link", "set", dev, "up", ns=ns)

        sniffer = subprocess.Popen(["ip", "netns", "exec", NS_B, sys.executable, "-c", SNIFFER,
                                    "198.51.100.10", "4"], stdout=subprocess.PIPE, text=True)
        check(sniffer.stdout.readline().strip() == "ready", "the peer's ARP sniffer runs")

        check(sh(EXE, "status", "198.51.100.10", ns=NS_A).returncode == 3,
              "status before start: 3 (not running)")
        t = time.monotonic()
        r = sh(EXE, "start", "198.51.100.10", ns=NS_A)
        took = time.monotonic() - t
        check(r.returncode == 0, "start 198.51.100.10 exits 0: " + r.stderr.strip())
        check(took < 0.5, "start returns without waiting for the ARP series (%.3f s)" % took)
        a = addrs(NS_A)
        check("inet 198.51.100.10/24 brd 198.51.100.255" in a,
              "the address is on a0 (the interface whose subnet holds it) with its broadcast: " + a)
        check(sh(EXE, "status", "198.51.100.10", ns=NS_A).returncode == 0, "status: 0 (running)")
        out, _ = sniffer.communicate(timeout=10)
        seen = [float(l.split()[1]) for l in out.splitlines() if l.startswith("garp ")]
        mac = sh("cat", "/sys/class/net/a0/address", ns=NS_A).stdout.strip().replace(":", "")
        check(len(seen) >= 5, "the peer saw 5 gratuitous ARPs (saw %d)" % len(seen))
        if len(seen) >= 5:
            span = seen[4] - seen[0]
            check(0.6 < span < 1.5, "they came 200 ms apart (first to fifth: %.3f s)" % span)
        check(mac and mac in out, "from a0's MAC " + mac)
        r = sh(EXE, "start", "198.51.100.10", ns=NS_A)
        check(r.returncode == 0, "a second start succeeds (already there)")

        r = sh(EXE, "stop", "198.51.100.10", ns=NS_A)
        check(r.returncode == 0, "stop exits 0")
        check("198.51.100.10" not in addrs(NS_A), "the address is gone after stop")
        check(sh(EXE, "status", "198.51.100.10", ns=NS_A).returncode == 3, "status after stop: 3")
        check(sh(EXE, "stop", "198.51.100.10", ns=NS_A).returncode == 0,
              "stop of an absent address succeeds")

        r = sh(EXE, "start", "198.51.100.11/25/a0:web", ns=NS_A)
        check(r.returncode == 0, "start with prefix, interface and label: " + r.stderr.strip())
        a = addrs(NS_A)
        check("inet 198.51.100.11/25 brd 198.51.100.127" in a and "a0:web" in a,
              "the labelled address is there with the /25 broadcast: " + a)
        sh(EXE, "stop", "198.51.100.11/25/a0:web", ns=NS_A)
        check("198.51.100.11" not in addrs(NS_A), "the labelled address is gone after stop")

        r = sh(EXE, "start", "203.0.113.5", ns=NS_A)
        check(r.returncode == 1 and "no interface" in r.stderr,
              "an address outside every subnet is refused, saying why: " + r.stderr.strip())
        check(sh(EXE, "start", "not-an-ip", ns=NS_A).returncode == 2, "a malformed spec: exit 2")
    finally:
        for ns in (NS_A, NS_B):
            sh("ip", "netns", "del", ns)
    print("%d failed" % len(failures))
    return 1 if failures else 0


sys.exit(main())
