#!/usr/bin/env python3
"""A running hb-linkd, measured (root; uses the bus tests' namespace rig):

  1. idle cost: 3 nodes on 2 LANs (so each hb-linkd has 2 peers x 2 media), keepalive 100 ms;
     CPU (utime+stime from /proc/PID/stat) and RSS (VmRSS) of one hb-linkd over 10 s.
  2. detection: SIGSTOP a peer's hb-linkd (its last packet is the moment before), time until the
     other node's Link objects say "dead", against deadtime 1 s; several runs.

  daemon_bench.py HB-LINKD [RUNS]
"""
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.setdefault("HB_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(SRC, "tests", "bus", "linkd"))
sys.path.insert(0, os.path.join(SRC, "tests", "bus"))
import hbtest as hb  # noqa: E402
import linkd_test as lt  # noqa: E402


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14, 15)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return 77
    daemon = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    rig = lt.Rig(daemon, node_names=("ha1", "ha2", "ha3"))

    def body():
        ha1, ha2, ha3 = rig.start(lambda n: "bcast lan0\nbcast lan1\n")
        for peer in ("ha2", "ha3"):
            for m in ("lan0", "lan1"):
                ha1.wait_link(peer, m, "up")
        pid = ha1.proc.pid
        hz = os.sysconf("SC_CLK_TCK")
        t0, c0 = time.monotonic(), cpu_ticks(pid)
        time.sleep(10)  # the measurement window itself
        t1, c1 = time.monotonic(), cpu_ticks(pid)
        cpu = (c1 - c0) / hz / (t1 - t0) * 100
        print(f"idle hb-linkd (2 peers x 2 media, keepalive 100 ms): CPU {cpu:.2f}% of one core "
              f"over {t1 - t0:.1f} s, RSS {rss_kib(pid)} KiB")
        took = []
        for i in range(runs):
            for m in ("lan0", "lan1"):
                ha1.wait_link("ha2", m, "up")
            os.kill(ha2.proc.pid, signal.SIGSTOP)
            start = time.monotonic()
            hb.wait_until(lambda: ha1.link_state("ha2", "lan0") == "dead", "dead", timeout=10)
            took.append(time.monotonic() - start)
            os.kill(ha2.proc.pid, signal.SIGCONT)
        # SIGSTOP lands up to one keepalive after ha2's last packet: detection since the last
        # packet is between the figure and the figure + 100 ms.
        print("SIGSTOP -> link dead (deadtime 1.000 s): " +
              ", ".join(f"{t:.3f}" for t in took) +
              f" s; min {min(took):.3f} max {max(took):.3f} mean {sum(took) / len(took):.3f}")
    return hb.run_case(body, on_failure=rig.dump_logs, cleanup=rig.teardown)


if __name__ == "__main__":
    sys.exit(main())
