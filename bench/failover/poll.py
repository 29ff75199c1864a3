#!/usr/bin/env python3
"""The benchmark's web client: GET http://IP/hostname.html every 20 ms and log each answer.

Run inside the rig's client namespace (`rig client python3 poll.py LOG STOPFILE MAX_S`).
A request is started every tick whether or not the previous ones have answered (each in its own
thread, 0.3 s timeout): a request to an address nobody answers for would otherwise stall the loop
for the whole timeout, and the first page after a failover would be seen up to 0.3 s late.
One line per request: "<start> <end> <who>", who = ha1/ha2/... or "-" for a failed request.
Stops when STOPFILE exists or after MAX_S seconds, whichever comes first.
"""
import os
import re
import sys
import threading
import time
import urllib.request

URL = "http://192.0.2.10/hostname.html"
PERIOD = 0.02
TIMEOUT = 0.3


def main():
    log_path, stop_file, max_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
    out = open(log_path, "w", buffering=1)
    lock = threading.Lock()

    def one():
        t0 = time.time()
        try:
            with urllib.request.urlopen(URL, timeout=TIMEOUT) as r:
                body = r.read().decode(errors="replace")
            m = re.search(r"node (ha\d+)", body)
            who = m.group(1) if m else "?"
        except Exception:
            who = "-"
        t1 = time.time()
        with lock:
            out.write("%.4f %.4f %s\n" % (t0, t1, who))

    end = time.time() + max_s
    nxt = time.time()
    while time.time() < end and not os.path.exists(stop_file):
        threading.Thread(target=one, daemon=True).start()
        nxt += PERIOD
        d = nxt - time.time()
        if d > 0:
            time.sleep(d)
        else:
            nxt = time.time()  # fell behind (loaded machine): do not burst to catch up
    time.sleep(TIMEOUT + 0.05)  # let the requests in flight finish and be logged
    out.close()


if __name__ == "__main__":
    main()
