#!/usr/bin/env python3
"""N Server-Sent Events clients of hb-statusd's /api/v1/events, for bench/status: each keeps one
stream open and records when each event reaches it (this host's wall clock, the clock busctl
monitor stamps D-Bus messages with). Runs until STOPFILE exists, then writes one JSON line per
event received to OUT: {"client": i, "type": ..., "data": {...}, "t": unix seconds}.

    sse_clients.py N HOST PORT OUT STOPFILE
"""
import asyncio
import json
import os
import sys
import time


async def client(i, host, port, records, ready):
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"GET /api/v1/events HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n"
                 % host.encode())
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        raise RuntimeError("client %d: %s" % (i, status.decode(errors="replace").strip()))
    ready.append(i)
    kind = None
    while True:
        line = await reader.readline()
        if not line:
            return
        now = time.time()
        line = line.decode(errors="replace").rstrip("\r\n")
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind:
            try:
                data = json.loads(line[6:])
            except ValueError:
                data = line[6:]
            records.append({"client": i, "type": kind, "data": data, "t": now})


async def main(n, host, port, out, stop):
    records, ready = [], []
    tasks = [asyncio.create_task(client(i, host, port, records, ready)) for i in range(n)]
    while len(ready) < n:
        for t in tasks:
            if t.done() and t.exception():
                raise t.exception()
        await asyncio.sleep(0.05)
    with open(out + ".ready", "w") as f:
        f.write("%d\n" % n)
    while not os.path.exists(stop):
        await asyncio.sleep(0.1)
    for t in tasks:
        t.cancel()
    with open(out, "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]))
