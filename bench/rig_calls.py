"""What the rig benchmarks share: their output directory, booting a run, running a verb of
tests/rig/rig for it, asking who serves the site, and waiting for a state with a bound. Imported
by bench/load/false_failover.py, bench/idle/idle_cost.py and bench/status/status_bench.py."""
import os
import subprocess
import tempfile
import time

SRC = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
RIG = os.path.join(SRC, "tests", "rig", "rig")


def rig(run, *args, check=True, timeout=60):
    """`rig ARGS...` for run RUN; its stdout. Raises on failure when `check`."""
    env = dict(os.environ, HB_RIG=run)
    p = subprocess.run([RIG, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"rig {' '.join(args)}: {p.stderr.strip()[-300:]}")
    return p.stdout


def out_dir(out, prefix):
    """OUT, made if needed, or a new /tmp/PREFIX* directory."""
    out = out or tempfile.mkdtemp(prefix=prefix)
    os.makedirs(out, exist_ok=True)
    return out


def rig_up(*args):
    """`rig up ARGS...`: the new run's name."""
    p = subprocess.run([RIG, "up", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("rig up failed: " + p.stderr.strip()[-500:])
    return p.stdout.strip().splitlines()[-1]


def serves(run, node):
    """Whether the site, asked from the run's client namespace, names NODE."""
    r = subprocess.run(["ip", "netns", "exec", f"hb{run}-client", "curl", "-fsS", "--max-time",
                        "0.5", "http://192.0.2.10/hostname.html"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    return f"node {node}." in r.stdout


def wait_until(pred, limit, what):
    """Polls `pred` every 50 ms; raises naming `what` after `limit` seconds."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise RuntimeError(what + ": not after %.0f s" % limit)
