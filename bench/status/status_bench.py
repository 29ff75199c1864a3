#!/usr/bin/env python3
"""hb-statusd under load (issue 14's benchmark), on the rig: the seed cluster, hb-statusd of ha2
with room for the streams ([status] max_event_streams = 128 in ha2's hb.conf).

  * wrk, 64 connections, on GET /api/v1/cluster and then on GET /metrics (each run DURATION s,
    from inside ha2's network namespace: hb-statusd listens on its loopback), while STREAMS
    event-stream clients are connected and a failover happens (ha1 powered off 4 s into the
    first run; booted again and failed back before the second, whose failover is ha1's second
    power-off): requests/s, latency p50/p99, errors.
  * the delay from the D-Bus signal (hb-membershipd's for ha1's death, hb-resourced's first for
    the group; stamped by `busctl monitor` on ha2) to the matching SSE event at each client:
    median, p99 and max over the clients.
  * hb-statusd's CPU and memory (VmRSS) over IDLE s with no client, and with the streams open.

    sudo bench/status/status_bench.py --build-dir build [--streams 100] [--duration 12]
                                      [--idle 20] [--out DIR]

Prints a summary and writes results.json to --out (default a new /tmp/hb-statusbench-* dir).
The machine's noise matters (2 cores: wrk, the clients and both nodes share them); compare runs
made side by side. Exit 0, or 77 to skip (not root, or wrk missing).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
RIG = os.path.join(SRC, "tests", "rig", "rig")
sys.path.insert(0, os.path.join(SRC, "bench"))
from rig_calls import rig, wait_until  # noqa: E402

CLIENTS = os.path.join(HERE, "sse_clients.py")
PORT = 9694


def log(msg):
    print("statusbench: " + msg, file=sys.stderr, flush=True)


def pct(values, p):
    values = sorted(values)
    if not values:
        return None
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def wrk_ms(text):
    """wrk's '50%   1.23ms' style value in ms."""
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    v = float(m.group(1))
    return {"us": v / 1000, "ms": v, "s": v * 1000}[m.group(2)]


def parse_wrk(out):
    r = {"requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for p in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % p, out, re.M)
        r["p%s_ms" % p] = wrk_ms(m.group(1)) if m else None
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    r["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    r["socket_errors"] = sum(int(x) for x in m.groups()) if m else 0
    r["requests"] = int(re.search(r"(\d+) requests in", out).group(1))
    return r


def statusd_usage(run, seconds):
    """hb-statusd's CPU (% of one core) over `seconds`, and its VmRSS in KiB."""
    pid = rig(run, "exec", "ha2", "systemctl", "show", "-P", "MainPID", "hb-statusd").strip()

    def ticks():
        stat = rig(run, "exec", "ha2", "cat", f"/proc/{pid}/stat")
        fields = stat.rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    hz = os.sysconf("SC_CLK_TCK")
    t0, c0 = time.monotonic(), ticks()
    time.sleep(seconds)
    t1, c1 = time.monotonic(), ticks()
    rss = re.search(r"VmRSS:\s+(\d+)", rig(run, "exec", "ha2", "cat", f"/proc/{pid}/status"))
    return {"cpu_percent": round(100.0 * (c1 - c0) / hz / (t1 - t0), 3),
            "rss_kib": int(rss.group(1))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.environ.get("HB_BUILD_DIR", os.path.join(SRC, "build")))
    ap.add_argument("--streams", type=int, default=100)
    ap.add_argument("--duration", type=int, default=12)
    ap.add_argument("--idle", type=int, default=20)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root (the rig boots systemd-nspawn nodes)")
        return 77
    if not shutil.which("wrk"):
        print("SKIP: wrk is missing (Debian package wrk; scripts/ensure-deps.sh bench)")
        return 77
    out = a.out or tempfile.mkdtemp(prefix="hb-statusbench-")
    os.makedirs(out, exist_ok=True)
    run, clients, monitor = None, None, False
    stop = os.path.join(out, "clients.stop")
    events_file = os.path.join(out, "events.jsonl")
    result = {"streams": a.streams, "duration_s": a.duration, "connections": 64}
    try:
        p = subprocess.run([RIG, "up", "--build-dir", a.build_dir, "--serial"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
        if p.returncode != 0:
            raise RuntimeError("rig up failed: " + p.stderr.strip()[-500:])
        run = p.stdout.strip().splitlines()[-1]
        ns = f"hb{run}-ha2"
        log(f"rig run {run} up")

        def serves(node):
            r = subprocess.run(["ip", "netns", "exec", f"hb{run}-client", "curl", "-fsS",
                                "--max-time", "0.5", "http://192.0.2.10/hostname.html"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            return f"node {node}." in r.stdout

        wait_until(lambda: serves("ha1"), 15, "ha1 serves the site")
        rig(run, "exec", "ha2", "sh", "-c",
            "printf '[status]\\nmax_event_streams = 128\\n' >> /etc/ha.d/hb.conf && "
            "systemctl restart hb-statusd")

        def statusd_up():
            return subprocess.run(["ip", "netns", "exec", ns, "curl", "-fsS", "--max-time", "1",
                                   f"http://127.0.0.1:{PORT}/healthz"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

        wait_until(statusd_up, 15, "ha2's hb-statusd answers /healthz")
        result["idle_no_client"] = statusd_usage(run, a.idle)
        log("idle, no client: %s" % result["idle_no_client"])

        clients = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, CLIENTS,
                                    str(a.streams), "127.0.0.1", str(PORT), events_file, stop])
        wait_until(lambda: os.path.exists(events_file + ".ready"), 30,
                   f"{a.streams} event streams open")
        result["idle_with_streams"] = statusd_usage(run, a.idle)
        log(f"idle, {a.streams} streams open: {result['idle_with_streams']}")
        # busctl monitor in a unit of its own on ha2, its JSON lines into a file there.
        rig(run, "exec", "ha2", "systemd-run", "--quiet", "--unit=hb-bench-monitor",
            "--property=StandardOutput=file:/run/hb-bench-monitor.json", "busctl", "monitor",
            "--json=short", "io.github.hbcluster.membership1", "io.github.hbcluster.resource1")
        monitor = True
        time.sleep(1)  # busctl monitor has subscribed

        failovers = []
        for path, action in (("/api/v1/cluster", "poweroff"), ("/metrics", "poweroff")):
            if failovers:  # ha1 back and serving before the second failover
                rig(run, "boot", "ha1")
                wait_until(lambda: serves("ha1"), 30, "ha1 serves again (failback)")
                time.sleep(2)
            wrk = subprocess.Popen(["ip", "netns", "exec", ns, "wrk", "-t2", "-c64",
                                    f"-d{a.duration}s", "--latency",
                                    f"http://127.0.0.1:{PORT}{path}"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(4)
            t_off = time.time()
            rig(run, action, "ha1")
            wait_until(lambda: serves("ha2"), 15, "ha2 serves after ha1's power-off")
            failovers.append({"path": path, "poweroff_at": t_off,
                              "first_page_s": round(time.time() - t_off, 3)})
            w_out, w_err = wrk.communicate(timeout=a.duration + 30)
            result["wrk " + path] = parse_wrk(w_out)
            log(f"wrk {path}: {result['wrk ' + path]}")

        open(stop, "w").close()
        clients.wait(timeout=30)
        clients = None
        rig(run, "exec", "ha2", "systemctl", "stop", "hb-bench-monitor")
        monitor = None
        messages = [json.loads(l) for l in
                    rig(run, "exec", "ha2", "cat", "/run/hb-bench-monitor.json").splitlines()
                    if l.startswith("{")]
        events = [json.loads(l) for l in open(events_file)]
        ends = [f["poweroff_at"] for f in failovers[1:]] + [float("inf")]
        for f, end in zip(failovers, ends):
            t = f["poweroff_at"]
            sigs = [m for m in messages if m.get("type") == "signal"
                    and t < m.get("timestamp-realtime", 0) / 1e6 < end]
            # hb-membershipd's NodeChanged for ha1's death; hb-resourced's first GroupChanged.
            node_sig = next((m for m in sigs if m.get("member") == "NodeChanged"
                             and "ha1" in json.dumps(m.get("payload"))
                             and "dead" in json.dumps(m.get("payload"))), None)
            group_sig = next((m for m in sigs if m.get("member") == "GroupChanged"), None)
            window = [e for e in events if t < e["t"] < end]
            dead = {}
            for e in window:
                if (e["type"] == "node" and e["data"].get("node") == "ha1"
                        and e["data"].get("new_state") == "dead"):
                    dead.setdefault(e["client"], e["t"])
            grp = {}
            for e in window:
                if e["type"] == "group" and e["data"].get("new_owner") == "ha2":
                    grp.setdefault(e["client"], e["t"])

            def delays(sig, seen):
                if not sig or not seen:
                    return None
                ts = sig["timestamp-realtime"] / 1e6
                d = [1000 * (x - ts) for x in seen.values()]
                return {"clients": len(d), "median": round(statistics.median(d), 2),
                        "p99": round(pct(d, 99), 2), "max": round(max(d), 2)}

            f["node_signal_to_sse_ms"] = delays(node_sig, dead)
            f["group_signal_to_sse_ms"] = delays(group_sig, grp)
        result["failovers"] = failovers
        with open(os.path.join(out, "results.json"), "w") as fh:
            json.dump(result, fh, indent=2)
        print(json.dumps(result, indent=2))
        log("results in " + out)
        return 0
    finally:
        if clients:
            open(stop, "w").close()
            try:
                clients.wait(timeout=10)
            except subprocess.TimeoutExpired:
                clients.kill()
        if run:
            rig(run, "down", check=False)


if __name__ == "__main__":
    sys.exit(main())
