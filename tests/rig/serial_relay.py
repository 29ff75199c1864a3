#!/usr/bin/env python3
"""A null-modem cable between two nodes: two pseudo-terminals whose bytes are relayed to each other.

Each end's slave side is bound into a node as /dev/ttyS0, so the node sees a real tty (termios,
baud rate, raw mode). SIGUSR1 cuts the cable (bytes written are lost, as on a pulled cable),
SIGUSR2 mends it, SIGTERM ends the relay. The relay also stops by itself after --max-seconds so a
forgotten rig never leaves it running forever.

A pseudo-terminal moves bytes as fast as they are written, whatever baud rate the node sets.
With --baud N the relay carries each direction at most at N baud (10 bits a byte: start, 8 data,
stop), as a real line does: bytes wait their turn (a status packet of ~190 bytes takes ~0.1 s at
19200), and a writer faster than the line fills its own tty buffer, as with a UART. The pacing
works in steps of a few milliseconds. Without --baud (0) bytes pass at once, as before.

usage: serial_relay.py LINK_A LINK_B [--max-seconds N] [--baud N]
"""
import errno
import grp
import os
import select
import signal
import sys
import time
import tty


def open_end(link):
    master, slave = os.openpty()
    # Raw and no echo on our side too: the cable must not add or eat bytes.
    tty.setraw(slave)
    os.set_blocking(master, False)
    name = os.ttyname(slave)
    # Owned like a real /dev/ttyS0 (root:dialout, 0660): hb-linkd opens it as its own user, by
    # its membership in dialout, not as root.
    try:
        os.chown(name, 0, grp.getgrnam("dialout").gr_gid)
        os.chmod(name, 0o660)
    except (KeyError, PermissionError):
        pass
    tmp = link + ".tmp"
    os.symlink(name, tmp)
    os.replace(tmp, link)
    # The slave stays open here so the master never sees EIO while a node has the tty closed
    # (e.g. while it reboots).
    return master, slave


# Pacing: the line's bytes are released every STEP_S (each when the line has carried it), and a
# direction holds at most QUEUE_LIMIT bytes before the relay stops reading its writer (whose tty
# buffer then fills).
STEP_S = 0.004
QUEUE_LIMIT = 512


class PacedLine:
    """One direction of the cable at BAUD: bytes in, bytes out no faster than the line."""

    def __init__(self, baud):
        self.bytes_per_s = baud / 10.0
        self.queue = bytearray()
        self.busy_since = None  # when the line began carrying what it carries now
        self.sent = 0  # bytes delivered since then

    def add(self, data, now):
        if self.busy_since is None:
            self.busy_since, self.sent = now, 0
        self.queue += data

    def due(self, now):
        """The bytes the line has finished carrying by NOW."""
        if self.busy_since is None:
            return b""
        n = min(max(int((now - self.busy_since) * self.bytes_per_s) - self.sent, 0),
                len(self.queue))
        self.sent += n
        out = bytes(self.queue[:n])
        del self.queue[:n]
        if not self.queue:
            self.busy_since = None  # idle: the next byte starts when it comes
        return out


def take_option(args, name, default):
    if name in args:
        i = args.index(name)
        value = float(args[i + 1])
        del args[i : i + 2]
        return value
    return default


def main():
    args = sys.argv[1:]
    max_seconds = take_option(args, "--max-seconds", 4 * 3600.0)
    baud = int(take_option(args, "--baud", 0))
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 64
    links = args
    ends = [open_end(link) for link in links]
    state = {"cut": False, "run": True}

    def on_signal(sig, _frame):
        if sig == signal.SIGUSR1:
            state["cut"] = True
        elif sig == signal.SIGUSR2:
            state["cut"] = False
        else:
            state["run"] = False

    for s in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)

    deadline = time.monotonic() + max_seconds
    masters = [ends[0][0], ends[1][0]]
    peer = {masters[0]: masters[1], masters[1]: masters[0]}
    lines = {fd: PacedLine(baud) for fd in masters} if baud > 0 else {}

    def deliver(to_fd, data):
        try:
            os.write(to_fd, data)
        except (BlockingIOError, OSError):
            # Nobody reads the other end (node down): the bytes are lost, as on a real line.
            pass

    while state["run"] and time.monotonic() < deadline:
        # A paced line with bytes in flight wakes every step; a full one stops reading its writer.
        busy = any(line.queue for line in lines.values())
        readers = [fd for fd in masters if fd not in lines or len(lines[fd].queue) < QUEUE_LIMIT]
        try:
            ready, _, _ = select.select(readers, [], [], STEP_S if busy else 0.5)
        except InterruptedError:
            continue
        for fd in ready:
            try:
                data = os.read(fd, 4096)
            except BlockingIOError:
                continue
            except OSError as e:
                if e.errno == errno.EIO:
                    continue
                raise
            if state["cut"] or not data:
                continue
            if fd in lines:
                lines[fd].add(data, time.monotonic())
            else:
                deliver(peer[fd], data)
        now = time.monotonic()
        for fd, line in lines.items():
            if state["cut"]:
                line.queue.clear()  # bytes on a pulled cable are lost
                line.busy_since = None
            out = line.due(now)
            if out:
                deliver(peer[fd], out)
    for link in links:
        try:
            os.unlink(link)
        except FileNotFoundError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
