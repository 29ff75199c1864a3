#!/usr/bin/env python3
"""The daemons as processes, as systemd and an admin see them.

  notify DAEMON BUSNAME   READY=1 arrives on NOTIFY_SOCKET once the bus name is owned (private
                          dbus-daemon, permissive policy); SIGTERM -> STOPPING=1 and exit 0.
  badconfig DAEMON        a bad ha.cf -> exit 78, the file:line message on stderr, STATUS=/ERRNO=.
  degraded                hb-membershipd alone (no hb-linkd), then hb-resourced alone with no
                          haresources: each sends READY=1 all the same, and says in STATUS= and
                          its Warnings property that the node cannot take over (and that there
                          are no resource groups).
  policy DAEMON           the real policies in a system-like dbus-daemon: uid 65534 may read
                          properties but is refused Standby and LogLevel changes; root may call.

Exit 77 (skip) only when a tool is missing or the policy test is not run as root.
"""
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hbtest import (NODE, PERMISSIVE, POLICY_DIR, SKIP, SYSTEM_LIKE, BusDaemon,  # noqa: E402
                    Notify, busctl, check, config_dir, daemon_env, need, run_case,
                    run_in_tmp)

WAIT = 20.0  # upper bound for any state we wait on; never a fixed sleep


def free_port():
    """A TCP port nobody listens on now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daemon(daemon, tmp, bus, notify, without=()):
    # WatchdogSec=0.4s as systemd would pass it: pings are due every 0.2 s.
    env = daemon_env(bus.address, notify, drop=("WATCHDOG_PID",), WATCHDOG_USEC="400000")
    d = config_dir(tmp)
    for f in without:  # files of /etc/ha.d this case goes without
        os.remove(os.path.join(d, f))
    cmd = [daemon, "--config-dir", d, "--node", NODE]
    if os.path.basename(daemon) == "hb-statusd":
        # Not the default port, which a real hb-statusd (or another test run) may hold.
        with open(os.path.join(d, "hb.conf"), "w") as f:
            f.write(f"[status]\nlisten = 127.0.0.1:{free_port()}\n")
    if os.path.basename(daemon) == "ipfaild":
        # ipfaild pings the seed's ping node, a real public address: give it an empty network
        # namespace (the bus and NOTIFY_SOCKET are path sockets and still reach it).
        need("unshare")
        cmd = ["unshare", "--net", *cmd]
    return subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)


@contextlib.contextmanager
def running(daemon, tmp, template, without=()):
    """The daemon on a private dbus-daemon configured from template: (bus, notify, proc).
    Killed, if still running, and the bus stopped when the block ends."""
    bus = BusDaemon(tmp, template)
    notify = Notify(tmp)
    proc = start_daemon(daemon, tmp, bus, notify, without)
    try:
        yield bus, notify, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        bus.stop()


def stop_daemon(proc, notify):
    proc.send_signal(signal.SIGTERM)
    check(notify.wait_for("STOPPING=1"), "SIGTERM -> STOPPING=1")
    rc = proc.wait(timeout=WAIT)
    check(rc == 0, f"clean exit after SIGTERM (rc={rc})")


def test_notify(tmp, daemon, bus_name):
    need("dbus-daemon")
    need("busctl")
    with running(daemon, tmp, PERMISSIVE) as (bus, notify, proc):
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


def test_badconfig(tmp, daemon):
    d = config_dir(tmp, "frobnicate yes\n")
    with open(os.path.join(d, "ha.cf")) as f:
        line = sum(1 for _ in f)
    notify = Notify(tmp)
    env = daemon_env("unix:path=" + os.path.join(tmp, "no-bus"), notify)
    r = subprocess.run([daemon, "--config-dir", d, "--node", NODE], env=env, capture_output=True,
                       text=True, timeout=WAIT)
    print(r.stderr, end="")
    check(r.returncode == 78, f"exit 78 (EX_CONFIG), got {r.returncode}")
    check(f"ha.cf:{line}:" in r.stderr, f"stderr names ha.cf:{line}")
    check(notify.wait_for("ERRNO=22"), "ERRNO= sent to systemd")
    check("STATUS" in notify.fields(), "STATUS= sent to systemd")


def warning_codes(bus, name, root):
    r = busctl(bus.address, "--json=short", "get-property", name, root, name + ".Manager",
               "Warnings")
    check(r.returncode == 0, f"{name} answers for its Warnings: {r.stderr.strip()}")
    return [code for code, _text in json.loads(r.stdout)["data"]]


def test_degraded(tmp, membershipd, resourced):
    need("dbus-daemon")
    need("busctl")
    name, root = "io.github.hbcluster.membership1", "/io/github/hbcluster/membership1"
    with running(membershipd, tmp, PERMISSIVE) as (bus, notify, proc):
        check(notify.wait_for("READY=1"), "hb-membershipd is ready without hb-linkd")
        status = notify.fields().get("STATUS", "")
        check("degraded" in status and "cannot take over" in status,
              "hb-membershipd's STATUS= says it is degraded: " + status)
        check(warning_codes(bus, name, root) == ["no-link-source"],
              "hb-membershipd warns that hb-linkd is missing")
        stop_daemon(proc, notify)

    name, root = "io.github.hbcluster.resource1", "/io/github/hbcluster/resource1"
    tmp2 = os.path.join(tmp, "resourced")
    os.mkdir(tmp2)
    with running(resourced, tmp2, PERMISSIVE, without=("haresources",)) as (bus, notify, proc):
        check(notify.wait_for("READY=1"), "hb-resourced is ready without its peers' daemons")
        deadline = time.monotonic() + WAIT
        codes = []
        while time.monotonic() < deadline:
            codes = warning_codes(bus, name, root)
            if "no-resource-groups" in codes:
                break
            time.sleep(0.05)
        check(set(codes) == {"no-membership", "no-link", "no-resource-groups"},
              f"hb-resourced's Warnings: {codes}")
        check(notify.wait_for("STATUS=no resource groups; degraded: cannot take over "
                              "(no-membership,no-link)"),
              "hb-resourced's STATUS= says: no resource groups, cannot take over")
        stop_daemon(proc, notify)


def test_policy(tmp, daemon):
    for tool in ("dbus-daemon", "busctl", "setpriv"):
        need(tool)
    if os.geteuid() != 0:
        print("SKIP: the policy test needs root (to act as uid 65534)")
        sys.exit(SKIP)
    name, root = "io.github.hbcluster.resource1", "/io/github/hbcluster/resource1"
    group = root + "/group/_39_2e22_2e7_2e46"  # sd_bus_path_encode("9.22.7.46")
    with running(daemon, tmp, SYSTEM_LIKE) as (bus, notify, proc):
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
        r = busctl(bus.address, "call", name, root, name + ".Manager", "Reload", user=65534)
        check(r.returncode != 0 and bus.rejected("Reload"),
              "uid 65534 may not Reload: the bus policy refuses it: " + r.stderr.strip())
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
        return run_case(test_coverage)
    if sys.argv[1] == "degraded":
        return run_in_tmp({"degraded": lambda tmp: test_degraded(tmp, sys.argv[2], sys.argv[3])},
                          "degraded", "hb-bus-", what="mode")
    mode, daemon = sys.argv[1], sys.argv[2]
    tests = {"notify": lambda tmp: test_notify(tmp, daemon, sys.argv[3]),
             "badconfig": lambda tmp: test_badconfig(tmp, daemon),
             "policy": lambda tmp: test_policy(tmp, daemon)}
    return run_in_tmp(tests, mode, "hb-bus-", what="mode")


if __name__ == "__main__":
    sys.exit(main())
