"""What the rig benchmarks share: running a verb of tests/rig/rig for one run, and waiting for a
state with a bound. Imported by bench/load/false_failover.py and bench/status/status_bench.py."""
import os
import subprocess
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


def wait_until(pred, limit, what):
    """Polls `pred` every 50 ms; raises naming `what` after `limit` seconds."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise RuntimeError(what + ": not after %.0f s" % limit)
