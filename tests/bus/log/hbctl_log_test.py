"""hbctl log on real journal files: the entries are made by systemd-journal-remote from journal
export format (this host has no journald), read with --directory. Checks heartbeat's lines, which
entries count as hb's, the cursor file across runs, --write-files by heartbeat's rule, and
--follow with logrotate and a restart in between. Skips when systemd-journal-remote is missing.

    hbctl_log_test.py HBCTL
"""
import calendar
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from hbtest import SKIP, Failure, check, run_case, wait_until  # noqa: E402

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
BOOT_ID = "6f5c1d0e2b9a4c8d9e7f1a2b3c4d5e6f"
# 2026-11-25 14:00:00 UTC; the test runs with TZ=UTC, so local time is the same.
T0 = calendar.timegm((2026, 11, 25, 14, 0, 0)) * 1000000


class Journal:
    """One journal file in tmp/journal, appended to with entries in export format."""

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "journal")
        os.mkdir(self.dir)
        self.seconds = 0

    def add(self, *entries):
        """Each entry: (identifier, priority, message[, uid]); one second apart, from T0."""
        out = b""
        for e in entries:
            ident, prio, message = e[:3]
            uid = e[3] if len(e) > 3 else 0
            self.seconds += 1
            fields = [("SYSLOG_IDENTIFIER", ident), ("_PID", str(100 + self.seconds)),
                      ("PRIORITY", str(prio)), ("MESSAGE", message), ("_UID", str(uid)),
                      ("__REALTIME_TIMESTAMP", str(T0 + self.seconds * 1000000)),
                      ("__MONOTONIC_TIMESTAMP", str(self.seconds * 1000000)),
                      ("_BOOT_ID", BOOT_ID)]
            for name, value in fields:
                v = value.encode()
                if b"\n" in v:  # export format's binary form: name, length, data
                    out += name.encode() + b"\n" + len(v).to_bytes(8, "little") + v + b"\n"
                else:
                    out += name.encode() + b"=" + v + b"\n"
            out += b"\n"
        r = subprocess.run([JOURNAL_REMOTE, "-o", os.path.join(self.dir, "hb.journal"),
                            "--split-mode=none", "-"], input=out, capture_output=True, timeout=30)
        if r.returncode != 0:
            raise Failure("systemd-journal-remote: " + r.stderr.decode())


def line(second, ident, level, text):
    return f"{ident}[{100 + second}]: 2026/11/25_14:00:{second:02d} {level}: {text}\n"


def env():
    return dict(os.environ, TZ="UTC")


def hbctl_log(hbctl, journal, *args):
    return subprocess.run([hbctl, "log", "--directory", journal.dir, *args],
                          capture_output=True, text=True, timeout=30, env=env())


def slurp(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def config_dir(tmp, ha_cf_tail, name="ha.d"):
    d = os.path.join(tmp, name)
    os.mkdir(d)
    with open(os.path.join(d, "ha.cf"), "w") as f:
        f.write(f"node {os.uname().nodename}\nnode peer\nbcast lo\n{ha_cf_tail}")
    return d


def test_lines(tmp, hbctl):
    j = Journal(tmp)
    j.add(("hb-linkd", 6, "Link ha2:eth0 up."),
          ("sshd", 3, "not hb's"),
          ("hb-membershipd", 7, "keepalive"),
          ("hb-linkd", 3, "forged by a user", 1000),
          ("hb-resourced", 4, "cannot start apache2.service:\n  exit 1\n"),
          ("hb-unit-failed", 2, "hb-linkd.service failed"))
    r = hbctl_log(hbctl, j)
    check(r.returncode == 0, f"hbctl log exits 0 ({r.stderr.strip()})")
    check(r.stdout == line(1, "hb-linkd", "info", "Link ha2:eth0 up.") +
          line(3, "hb-membershipd", "debug", "keepalive") +
          line(5, "hb-resourced", "WARN", "cannot start apache2.service:") +
          line(5, "hb-resourced", "WARN", "  exit 1") +
          line(6, "hb-unit-failed", "ERROR", "hb-linkd.service failed"),
          "hb's entries as ha-log lines, a line each; another program's and a user's are left "
          "out:\n" + r.stdout)


def test_cursor(tmp, hbctl):
    j = Journal(tmp)
    cursor = os.path.join(tmp, "cursor")
    j.add(("hb-linkd", 6, "one"), ("hb-linkd", 6, "two"))
    r = hbctl_log(hbctl, j, "--since-cursor-file", cursor)
    check(r.stdout == line(1, "hb-linkd", "info", "one") + line(2, "hb-linkd", "info", "two"),
          "no cursor file, not following: from the start")
    check(slurp(cursor).startswith("s="), "the cursor is saved")
    check(not os.path.exists(cursor + ".new"), "and its temporary file renamed")
    r = hbctl_log(hbctl, j, "--since-cursor-file", cursor)
    check(r.returncode == 0 and r.stdout == "", "run again: nothing new, nothing repeated")
    j.add(("ipfaild", 6, "three"))
    r = hbctl_log(hbctl, j, "--since-cursor-file", cursor)
    check(r.stdout == line(3, "ipfaild", "info", "three"), "then only what came after")
    with open(cursor, "w") as f:
        f.write("garbage\n")
    r = hbctl_log(hbctl, j, "--since-cursor-file", cursor)
    check(r.stdout.count("\n") == 3 and "holds no journal cursor" in r.stderr,
          "a cursor file that holds no cursor is said, and the start used")


def test_write_files(tmp, hbctl):
    j = Journal(tmp)
    j.add(("hb-linkd", 6, "up"), ("hb-linkd", 7, "keepalive"), ("hb-resourced", 3, "failed"))
    logfile, debugfile = os.path.join(tmp, "ha-log"), os.path.join(tmp, "ha-debug")
    ha_d = config_dir(tmp, f"logfile {logfile}\ndebugfile {debugfile}\n")
    r = hbctl_log(hbctl, j, "--write-files", "--config-dir", ha_d)
    check(r.returncode == 0 and r.stdout == "", f"--write-files writes nothing to stdout "
          f"({r.stderr.strip()})")
    check(slurp(logfile) == line(1, "hb-linkd", "info", "up") +
          line(3, "hb-resourced", "ERROR", "failed"), "logfile: the lines up to info")
    check(slurp(debugfile) == line(1, "hb-linkd", "info", "up") +
          line(2, "hb-linkd", "debug", "keepalive") + line(3, "hb-resourced", "ERROR", "failed"),
          "debugfile: every line")
    check(os.stat(logfile).st_mode & 0o777 == 0o640 & ~current_umask(), "created 0640")

    r = hbctl_log(hbctl, j, "--write-files", "--config-dir", config_dir(tmp, "", "none.d"))
    check(r.returncode == 0 and "ha.cf names no logfile or debugfile: nothing to write"
          in r.stdout, "no logfile, no debugfile: says so and exits 0")
    os.remove(os.path.join(ha_d, "ha.cf"))
    r = hbctl_log(hbctl, j, "--write-files", "--config-dir", ha_d)
    check(r.returncode == 65, "no ha.cf: exit 65, as hbctl config check")


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_follow(tmp, hbctl):
    j = Journal(tmp)
    j.add(("hb-linkd", 6, "before the first start"))
    logfile = os.path.join(tmp, "ha-log")
    ha_d = config_dir(tmp, f"logfile {logfile}\n")
    cursor = os.path.join(tmp, "cursor")
    cmd = [hbctl, "log", "--directory", j.dir, "--follow", "--write-files", "--config-dir", ha_d,
           "--since-cursor-file", cursor]

    def start():
        p = subprocess.Popen(cmd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        # Started once it saved where it starts (the first start) or is waiting (later ones).
        wait_until(lambda: os.path.exists(cursor), "the cursor file")
        return p

    def stop(p):
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=10)
        check(p.returncode == 0, f"SIGTERM: exit 0 ({err.strip()})")

    p = start()
    try:
        j.add(("hb-linkd", 6, "first"))
        wait_until(lambda: slurp(logfile) == line(2, "hb-linkd", "info", "first"),
                   "the first new entry in ha-log")
        check(True, "following from the end: what was logged before the first start is not "
              "written, what comes after is")
        os.rename(logfile, logfile + ".1")
        j.add(("hb-linkd", 6, "second"))
        wait_until(lambda: slurp(logfile) == line(3, "hb-linkd", "info", "second"),
                   "the entry after the rename in a new ha-log")
        check(slurp(logfile + ".1") == line(2, "hb-linkd", "info", "first"),
              "logrotate's rename: the old file keeps its lines, a new one is opened")
        os.remove(logfile)
        j.add(("hb-linkd", 6, "third"))
        wait_until(lambda: slurp(logfile) == line(4, "hb-linkd", "info", "third"),
                   "the entry after the removal in a new ha-log")
        check(True, "removed: opened again")
    finally:
        stop(p)
    j.add(("hb-linkd", 6, "while stopped"))
    p = start()
    try:
        j.add(("hb-linkd", 6, "after the restart"))
        wait_until(lambda: "after the restart" in slurp(logfile), "the entry after the restart")
        check(slurp(logfile) == line(4, "hb-linkd", "info", "third") +
              line(5, "hb-linkd", "info", "while stopped") +
              line(6, "hb-linkd", "info", "after the restart"),
              "a restart goes on after the last line written: none lost, none repeated")
    finally:
        stop(p)


def main():
    hbctl = sys.argv[1]
    if not os.path.exists(JOURNAL_REMOTE):
        print("SKIP: systemd-journal-remote not installed (it makes the journal files)")
        return SKIP
    status = 0
    for test in (test_lines, test_cursor, test_write_files, test_follow):
        print(f"== {test.__name__}", flush=True)
        with tempfile.TemporaryDirectory(prefix="hb-log-") as tmp:
            status |= run_case(lambda: test(tmp, hbctl))
    return status


if __name__ == "__main__":
    sys.exit(main())
