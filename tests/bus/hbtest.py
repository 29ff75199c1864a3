"""What the Python bus tests (tests/bus/**.py) and the linkd daemon bench share: failing and
checking, commands with a bound, bounded waits, a private dbus-daemon, a NOTIFY_SOCKET stand-in,
busctl property reads, network namespaces, the daemons' environment, and the case runner.

Import it after putting tests/bus on sys.path (the scripts do so relative to their own file).
Every wait here is bounded: no fixed sleeps, only polls of a state until a deadline.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
SRC = os.environ.setdefault(
    "HB_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SEED = os.path.join(SRC, "tests", "data", "seed-ha.d")
POLICY_DIR = os.path.join(SRC, "dbus")
NODE = "ha1.haw2.ibm.com"
WAIT = 15.0  # bound of a command and of a state wait in the netns tests
DAEMON_WAIT = 20.0  # bound of a NOTIFY_SOCKET wait and of a busctl() call (daemon_test.py)


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)
    print(f"ok: {what}", flush=True)


def run(*cmd, check_rc=True, timeout=WAIT):
    r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)
    if check_rc and r.returncode != 0:
        raise Failure(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r


def wait_until(pred, what, timeout=WAIT, interval=0.02):
    """pred()'s first true value; Failure once timeout has passed without one."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Failure(f"timed out waiting for {what}")
        time.sleep(interval)  # polling interval of a bounded wait, not a fixed delay


def skip_reason(root_why, tools):
    """The SKIP line to print when not root (root_why set) or a tool is missing; else None."""
    if root_why is not None and os.geteuid() != 0:
        return "SKIP: " + root_why
    for tool in tools:
        if shutil.which(tool) is None:
            return f"SKIP: {tool} not installed"
    return None


def need(tool):
    if shutil.which(tool) is None:
        print(f"SKIP: {tool} not installed")
        sys.exit(SKIP)


def run_case(body, on_failure=None, cleanup=None):
    """Runs a test body: its return code (0 when it returns nothing), or 1 after FAIL: on a
    Failure (then on_failure() says more); cleanup() runs in every case."""
    try:
        return body() or 0
    except Failure as e:
        print(f"FAIL: {e}")
        if on_failure is not None:
            on_failure()
        return 1
    finally:
        if cleanup is not None:
            cleanup()


def run_in_tmp(cases, name, prefix, what="case"):
    """run_case() of cases[name](tmp) in a fresh temporary directory; 2 for an unknown name."""
    if name not in cases:
        print(f"unknown {what} {name}")
        return 2
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        return run_case(lambda: cases[name](tmp))


# ---- D-Bus ------------------------------------------------------------------------------------

def path_encode(prefix, name):
    """sd_bus_path_encode()"""
    if not name:
        return prefix + "/_"
    out = "".join(c if c.isalnum() and c.isascii() else "_%02x" % ord(c) for c in name)
    return prefix + "/" + out


def busctl(address, *args, user=None, timeout=DAEMON_WAIT):
    cmd = ["busctl", "--address=" + address, *args]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def get_property(address, dest, path, iface, name, timeout=DAEMON_WAIT, none_on_timeout=False):
    """A property's value as busctl's JSON has it, or None when the call fails."""
    try:
        r = busctl(address, "--json=short", "get-property", dest, path, iface, name,
                   timeout=timeout)
    except subprocess.TimeoutExpired:
        if not none_on_timeout:
            raise
        return None
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)["data"]


def _busconfig(policy, tail=""):
    """A bus configuration template: {socket} to listen on, everyone may connect and receive;
    `policy` says who may own and send; `tail` follows the default policy."""
    return ("""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
""" + policy + "".join(f'    <allow receive_type="{t}"/>\n'
                       for t in ("method_call", "method_return", "error", "signal")) + tail +
            "</busconfig>\n")


# A system bus: only the daemons' own policies (in {policies}) let names be owned and called.
SYSTEM_LIKE = _busconfig("""    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
""", """    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
  <includedir>{policies}</includedir>
""")

# Anyone may own any name and send anything.
PERMISSIVE = _busconfig("""    <allow own="*"/>
""" + "".join(f'    <allow send_type="{t}"/>\n'
              for t in ("method_call", "method_return", "error", "signal")), "  </policy>\n")


class BusDaemon:
    """A private dbus-daemon on a path socket in tmp, configured from a template."""

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


# ---- the daemons as systemd runs them ---------------------------------------------------------

def config_dir(tmp, extra_ha_cf=""):
    """A copy of the seed ha.d in tmp, with extra_ha_cf appended to its ha.cf."""
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
        self.draining = False

    def wait_for(self, line):
        deadline = time.monotonic() + DAEMON_WAIT
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

    def drain(self):
        """From now on reads the socket for good, as systemd does: sd_notify() blocks once the
        datagram queue (net.unix.max_dgram_qlen) is full. What arrives lands in messages; wait on
        it with wait_until(), not wait_for(). Ends when the socket is closed."""
        if self.draining:
            return
        self.draining = True

        def loop():
            self.sock.settimeout(None)
            while True:
                try:
                    self.messages.append(self.sock.recv(4096).decode())
                except OSError:
                    return
        threading.Thread(target=loop, daemon=True).start()

    def fields(self):
        out = {}
        for m in self.messages:
            for line in m.split("\n"):
                if "=" in line:
                    k, v = line.split("=", 1)
                    out[k] = v
        return out


def daemon_env(bus_address, notify=None, drop=(), **extra):
    """The environment of a daemon under test: the private bus as the system bus, notify's
    socket as NOTIFY_SOCKET (when given), no journal stream, minus `drop`, plus `extra`."""
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus_address, **extra)
    if notify is not None:
        env["NOTIFY_SOCKET"] = notify.path
    for k in ("JOURNAL_STREAM", *drop):
        env.pop(k, None)
    return env


def stop_process(proc, timeout=WAIT):
    """SIGTERM if still running, SIGKILL if it is not gone within timeout."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- network namespaces -----------------------------------------------------------------------

class Namespaces:
    """Network namespaces made by this test (loopback up in each), deleted on close()."""

    def __init__(self):
        self.made = []

    def add(self, ns):
        run("ip", "netns", "add", ns)
        self.made.append(ns)
        run("ip", "-n", ns, "link", "set", "lo", "up")
        return ns

    def veth(self, ns, ifname, peer_ns, peer_ifname):
        run("ip", "-n", ns, "link", "add", ifname, "type", "veth", "peer", "name", peer_ifname,
            "netns", peer_ns)

    def close(self):
        for ns in reversed(self.made):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self.made = []
