#!/usr/bin/env python3
"""common/core is pure logic: no I/O, no clock, no sd-bus (its tests run on fake clocks and fake
transports). Checked on what the compiler made of it, not on good intentions: the symbols that
libhb-core.a needs from elsewhere (`nm -u`) must not include a syscall wrapper, a clock read, a
file stream or sd-bus, and no file under common/core may include sys/, Asio or systemd headers.

usage: core_is_pure.py LIBHB_CORE_A SOURCE_DIR
"""
import os
import re
import subprocess
import sys

# Undefined symbols core must not need (C names; C++ names are matched by the patterns below).
FORBIDDEN = {
    "open", "open64", "openat", "openat64", "creat", "close", "read", "write", "pread", "pread64",
    "pwrite", "pwrite64", "readv", "writev", "lseek", "lseek64", "unlink", "rename", "mkdir",
    "stat", "stat64", "fstat", "fstat64", "lstat", "lstat64", "access", "opendir", "readdir",
    "fopen", "fopen64", "fread", "fwrite", "fgets", "fputs", "fprintf", "printf", "puts",
    "socket", "bind", "connect", "listen", "accept", "accept4", "send", "sendto", "sendmsg",
    "recv", "recvfrom", "recvmsg", "setsockopt", "getsockopt", "poll", "ppoll", "select",
    "epoll_wait", "ioctl", "mmap", "mmap64", "kill", "fork", "execve", "system", "syslog",
    "clock_gettime", "gettimeofday", "time", "nanosleep", "usleep", "sleep", "getrandom",
    "getpid", "uname",
}
PATTERNS = [
    (re.compile(r"^sd_"), "sd-bus/libsystemd"),
    (re.compile(r"(steady_clock|system_clock|high_resolution_clock)3now"), "a clock read"),
    (re.compile(r"basic_(o|i)?fstream|basic_filebuf"), "a file stream"),
    (re.compile(r"boost.*asio"), "Asio"),
]
INCLUDES = re.compile(r'#\s*include\s*[<"](sys/|boost/asio|systemd/)')


def main():
    lib, src = sys.argv[1], sys.argv[2]
    out = subprocess.run(["nm", "-u", "--format=posix", lib], capture_output=True, text=True,
                         check=True).stdout
    problems = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2 or parts[1] not in ("U", "w"):  # "name type [value size]"
            continue
        sym = parts[0].split("@")[0]
        if sym in FORBIDDEN:
            problems.append(f"libhb-core needs {sym}: core must not do I/O or read the clock")
        for pattern, what in PATTERNS:
            if pattern.search(sym):
                problems.append(f"libhb-core needs {sym} ({what})")
    core = os.path.join(src, "common", "core")
    for root, _, files in os.walk(core):
        for fn in files:
            if not fn.endswith((".cpp", ".hpp")):
                continue
            path = os.path.join(root, fn)
            with open(path) as f:
                for n, text in enumerate(f, 1):
                    if INCLUDES.search(text):
                        problems.append(f"{os.path.relpath(path, src)}:{n}: {text.strip()}")
    for p in sorted(set(problems)):
        print("FAIL: " + p)
    if not problems:
        print("ok: libhb-core needs no I/O, clock, file stream or sd-bus symbol, and includes "
              "no sys/, Asio or systemd header")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
