#!/usr/bin/env python3
"""A null-modem cable between two nodes: two pseudo-terminals whose bytes are relayed to each other.

Each end's slave side is bound into a node as /dev/ttyS0, so the node sees a real tty (termios,
baud rate, raw mode). SIGUSR1 cuts the cable (bytes written are lost, as on a pulled cable),
SIGUSR2 mends it, SIGTERM ends the relay. The relay also stops by itself after --max-seconds so a
forgotten rig never leaves it running forever.

usage: serial_relay.py LINK_A LINK_B [--max-seconds N]
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


def main():
    args = sys.argv[1:]
    max_seconds = 4 * 3600.0
    if "--max-seconds" in args:
        i = args.index("--max-seconds")
        max_seconds = float(args[i + 1])
        del args[i : i + 2]
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
    while state["run"] and time.monotonic() < deadline:
        try:
            ready, _, _ = select.select(masters, [], [], 0.5)
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
            try:
                os.write(peer[fd], data)
            except (BlockingIOError, OSError):
                # Nobody reads the other end (node down): the bytes are lost, as on a real line.
                pass
    for link in links:
        try:
            os.unlink(link)
        except FileNotFoundError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
