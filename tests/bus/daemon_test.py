#!/usr/bin/env python3
"""The daemons as processes, as systemd and an admin see them.

  notify DAEMON BUSNAME   READY=1 arrives on NOTIFY_SOCKET once the bus name is owned (private
                          dbus-daemon, permissive policy); SIGTERM -> STOPPING=1 and exit 0.
  badconfig DAEMON        a bad ha.cf -> exit 78, the file:line message on stderr, STATUS=/ERRNO=.
  policy DAEMON           the real policies in a system-like dbus-daemon: uid 65534 may read
                          properties but is refused Standby and LogLevel changes; root may call.

Exit 77 (skip) only when a tool is missing or the policy test is not run as root.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
SEED = os.path.join(os.environ["HB_SOURCE_DIR"], "tests", "data", "seed-ha.d")
POLICY_DIR = os.path.join(os.environ["HB_SOURCE_DIR"], "dbus")
NODE = "ha1.haw2.ibm.com"
WAIT = 20.0  # upper bound for any state we wait on; never a fixed sleep


def need(tool):
    if shutil.which(tool) is None:
        print(f"SKIP: {tool} not installed")
        sys.exit(SKIP)


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print(f"ok: {what}")


def config_dir(tmp, extra_ha_cf=""):
    d = os.path.join(tmp, "ha.d")
    shutil.copytree(SEED, d)
    os.chmod(os.path.join(d, "authkeys"), 0o600)
    if extra_ha_cf:
        with open(os.path.join(d, "ha.cf"), "a") as f:
            f.write(extra_ha_cf)
    return d


class Notify:
    """A NOTIFY_SOCKET stand-in: collects the daemon's datagrams."""

    def __init__(self, tmp):
        self.path = os.path.join(tmp, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.messages = []

    def wait_for(self, line):
        deadline = time.monotonic() + WAIT
        while not any(line in m.split("\n") for m in self.messages):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                return False
        return True

    def fields(self):
        out = {}
        for m in self.messages:
            for line in m.split("\n"):
                if "=" in line:
                    k, v = line.split("=", 1)
                    out[k] = v
        return out


SYSTEM_LIKE = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
  <includedir>{policies}</includedir>
</busconfig>
"""

PERMISSIVE = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow send_type="signal"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
"""


class BusDaemon:
    def __init__(self, tmp, template):
        os.chmod(tmp, 0o755)  # uid 65534 must reach the socket
        conf = os.path.join(tmp, "bus.conf")
        with open(conf, "w") as f:
            f.write(template.format(socket=os.path.join(tmp, "bus"), policies=POLICY_DIR))
        self.proc = subprocess.Popen(
            ["dbus-daemon", "--config-file=" + conf, "--print-address", "--nofork", "--nopidfile"],
            stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, "bus.log"), "w"), text=True)
        self.log = os.path.join(tmp, "bus.log")
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            raise Failure("dbus-daemon did not start")

    def rejected(self, member):
        """dbus-daemon logs each message its policy refused."""
        with open(self.log) as f:
            return any("Rejected send message" in line and f'member="{member}"' in line
                       for line in f)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def busctl(address, *args, user=None):
    cmd = ["busctl", "--address=" + address, *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=WAIT)


def start_daemon(daemon, tmp, bus, notify):
    # WatchdogSec=0.4s as systemd would pass it: pings are due every 0.2 s.
    env = dict(os.environ, NOTIFY_SOCKET=notify.path, DBUS_SYSTEM_BUS_ADDRESS=bus.address,
               WATCHDOG_USEC="400000")
    env.pop("JOURNAL_STREAM", None)
    env.pop("WATCHDOG_PID", None)
    cmd = [daemon, "--config-dir", config_dir(tmp), "--node", NODE]
    if os.path.basename(daemon) == "ipfaild":
        # ipfaild pings the seed's ping node, a real public address: give it an empty network
        # namespace (the bus and NOTIFY_SOCKET are path sockets and still reach it).
        need("unshare")
        cmd = ["unshare", "--net", *cmd]
    return subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)


def stop_daemon(proc, notify):
    proc.send_signal(signal.SIGTERM)
    check(notify.wait_for("STOPPING=1"), "SIGTERM -> STOPPING=1")
    rc = proc.wait(timeout=WAIT)
    check(rc == 0, f"clean exit after SIGTERM (rc={rc})")


def test_notify(tmp, daemon, bus_name):
    need("dbus-daemon")
    need("busctl")
    bus = BusDaemon(tmp, PERMISSIVE)
    notify = Notify(tmp)
    proc = start_daemon(daemon, tmp, bus, notify)
    try:
        check(notify.wait_for("READY=1"), "READY=1 sent")
        check(notify.fields().get("STATUS", "") != "", "STATUS= says something")
        check(notify.wait_for("WATCHDOG=1"), "WATCHDOG=1 pings at half of WATCHDOG_USEC")
        r = busctl(bus.address, "call", "org.freedesktop.DBus", "/org/freedesktop/DBus",
                   "org.freedesktop.DBus", "NameHasOwner", "s", bus_name)
        check(r.stdout.strip() == "b true", f"{bus_name} is owned when READY=1 arrives")
        r = busctl(bus.address, "get-property", bus_name, "/org/freedesktop/LogControl1",
                   "org.freedesktop.LogControl1", "SyslogIdentifier")
        check(os.path.basename(daemon) in r.stdout, "LogControl1 answers with the daemon's name")
        stop_daemon(proc, notify)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        bus.stop()


def test_badconfig(tmp, daemon):
    d = config_dir(tmp, "frobnicate yes\n")
    with open(os.path.join(d, "ha.cf")) as f:
        line = sum(1 for _ in f)
    notify = Notify(tmp)
    env = dict(os.environ, NOTIFY_SOCKET=notify.path,
               DBUS_SYSTEM_BUS_ADDRESS="unix:path=" + os.path.join(tmp, "no-bus"))
    env.pop("JOURNAL_STREAM", None)
    r = subprocess.run([daemon, "--config-dir", d, "--node", NODE], env=env, capture_output=True,
                       text=True, timeout=WAIT)
    print(r.stderr, end="")
    check(r.returncode == 78, f"exit 78 (EX_CONFIG), got {r.returncode}")
    check(f"ha.cf:{line}:" in r.stderr, f"stderr names ha.cf:{line}")
    check(notify.wait_for("ERRNO=22"), "ERRNO= sent to systemd")
    check("STATUS" in notify.fields(), "STATUS= sent to systemd")


def test_policy(tmp, daemon):
    for tool in ("dbus-daemon", "busctl", "setpriv"):
        need(tool)
    if os.geteuid() != 0:
        print("SKIP: the policy test needs root (to act as uid 65534)")
        sys.exit(SKIP)
    bus = BusDaemon(tmp, SYSTEM_LIKE)
    notify = Notify(tmp)
    proc = start_daemon(daemon, tmp, bus, notify)
    name, root = "io.github.hbcluster.resource1", "/io/github/hbcluster/resource1"
    group = root + "/group/_39_2e22_2e7_2e46"  # sd_bus_path_encode("9.22.7.46")
    try:
        check(notify.wait_for("READY=1"), "root may own io.github.hbcluster.resource1")
        r = busctl(bus.address, "get-property", name, group, name + ".Group", "State", user=65534)
        check(r.returncode == 0 and "\"stopped\"" in r.stdout, "uid 65534 can Get a property: " + r.stdout + r.stderr)
        r = busctl(bus.address, "call", name, root, "org.freedesktop.DBus.ObjectManager",
                   "GetManagedObjects", user=65534)
        check(r.returncode == 0 and "9.22.7.46" in r.stdout, "uid 65534 can GetManagedObjects")
        r = busctl(bus.address, "call", name, root, name + ".Manager", "Standby", "s", "all",
                   user=65534)
        check(r.returncode != 0 and "Access denied" in r.stderr,
              "uid 65534 gets AccessDenied for Standby: " + r.stderr.strip())
        check(bus.rejected("Standby"), "... and it was the bus policy that refused it")
        r = busctl(bus.address, "set-property", name, "/org/freedesktop/LogControl1",
                   "org.freedesktop.LogControl1", "LogLevel", "s", "debug", user=65534)
        check(r.returncode != 0 and bus.rejected("Set"), "uid 65534 may not change LogLevel")
        r = busctl(bus.address, "call", name, root, name + ".Manager", "Standby", "s", "all")
        # Reaches it: done, or refused by hb-resourced itself (busy while it sets up).
        check("Rejected" not in r.stderr and "AccessDenied" not in r.stderr
              and (r.returncode == 0 or "hb-resourced is starting" in r.stderr),
              "root's Standby reaches hb-resourced: " + r.stderr.strip())
        r = busctl(bus.address, "set-property", name, "/org/freedesktop/LogControl1",
                   "org.freedesktop.LogControl1", "LogLevel", "s", "debug")
        check(r.returncode == 0, "root may change LogLevel")
        stop_daemon(proc, notify)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        bus.stop()


def test_coverage():
    """Every method in dbus/*.xml is called by some test in tests/bus."""
    import glob
    import xml.etree.ElementTree as ET
    here = os.path.dirname(os.path.abspath(__file__))
    sources = ""
    for pattern in ("*.cpp", "*.py"):
        for f in glob.glob(os.path.join(here, "**", pattern), recursive=True):
            with open(f) as fh:
                sources += fh.read()
    for xml in sorted(glob.glob(os.path.join(POLICY_DIR, "*.xml"))):
        for iface in ET.parse(xml).getroot().iter("interface"):
            for m in iface.iter("method"):
                name = m.get("name")
                check(f'"{name}"' in sources,
                      f"{iface.get('name')}.{name} is exercised by a tests/bus test")


def main():
    if sys.argv[1] == "coverage":
        try:
            test_coverage()
        except Failure as e:
            print(f"FAIL: {e}")
            return 1
        return 0
    mode, daemon = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="hb-bus-") as tmp:
        try:
            if mode == "notify":
                test_notify(tmp, daemon, sys.argv[3])
            elif mode == "badconfig":
                test_badconfig(tmp, daemon)
            elif mode == "policy":
                test_policy(tmp, daemon)
            else:
                print("unknown mode " + mode)
                return 2
        except Failure as e:
            print(f"FAIL: {e}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
