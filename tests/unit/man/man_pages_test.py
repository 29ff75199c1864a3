#!/usr/bin/env python3
"""The built man pages cover what hb has and are clean roff: every hbctl sub-command (from
`hbctl --help`) is a term of hbctl(8), every ha.cf directive of the loader's grammar
(common/core/config/ha_cf.cpp) one of ha.cf(5), every cl_status sub-command one of cl_status(1),
every MESSAGE_ID of message_ids.hpp is in a daemon's page or hb(7), the "Reload:" of each
ha.cf directive in ha.cf(5) and each hb.conf setting in hb.conf(5) is the grammar's own reload
column (printed by RELOAD_TABLE), and neither `groff -man -ww -z` nor `mandoc -T lint -W warning`
reports anything.

usage: man_pages_test.py SOURCE_DIR HBCTL RELOAD_TABLE PAGE...
"""
import os
import re
import shutil
import subprocess
import sys

DAEMON_PAGES = ["hb.7", "hb-linkd.8", "hb-membershipd.8", "hb-resourced.8", "ipfaild.8",
                "hb-statusd.8"]


def bold(term):
    return "\\fB" + term + "\\fR"


def hbctl_commands(hbctl):
    help_text = subprocess.run([hbctl, "--help"], capture_output=True, text=True,
                               check=True).stdout
    commands = []
    listing = False
    for line in help_text.splitlines():
        if line == "Commands:":
            listing = True
        elif listing and line.startswith("  "):
            # "  config check    check ...": the words before the run of spaces; a name too
            # long for the column ("forget-generation hear ...") has one space, and one word.
            parts = re.split(r"\s{2,}", line.strip())
            commands.append(parts[0] if len(parts) > 1 else parts[0].split()[0])
        elif listing and line == "":
            if commands:
                break
    return commands


def ha_cf_directives(src):
    with open(os.path.join(src, "common", "core", "config", "ha_cf.cpp")) as f:
        text = f.read()
    table = text[text.index("constexpr auto grammar"):]
    return re.findall(r'\{\.name = "(\w+)"', table)


def cl_status_commands(src):
    with open(os.path.join(src, "common", "core", "clstatus", "cl_status.cpp")) as f:
        text = f.read()
    help_text = text[text.index("help_text() {"):]
    help_text = help_text[:help_text.index(";")]
    return [m for m in re.findall(r'^\s*"([a-z]+)[ \\]', help_text, re.M) if m != "Usage"]


def message_ids(src):
    with open(os.path.join(src, "common", "core", "log", "message_ids.hpp")) as f:
        return re.findall(r'inline constexpr const char\* (\w+) = "([0-9a-f]{32})";', f.read())


# The page's words for each value of the reload column (reload_column.hpp).
RELOAD_WORDS = {"live": "live", "handover": "at the next hand-over", "restart": "restart"}


def reload_table(exe):
    """{("ha.cf", "keepalive"): "live", ("hb.conf", "status.listen"): "restart", ...}"""
    out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        file, setting, value = line.split()
        table[(file, setting)] = value
    return table


def scd_entries(path, sectioned):
    """Each term of an scdoc page and its paragraph: {"keepalive": "How often ..."}. With
    `sectioned`, terms are "key = value" lines keyed "section.key" by the "# [section]" heading
    above them (hb.conf(5))."""
    entries = {}
    section = None
    name = None
    with open(path) as f:
        for line in f.read().splitlines():
            heading = re.match(r"^# \[(\w+)\]", line)
            if heading or line.startswith("# "):
                section = heading.group(1) if heading else None
                name = None
                continue
            term = re.match(r"^\*([A-Za-z0-9_\\]+)\*" + (" =" if sectioned else ""), line)
            if term and (section or not sectioned):
                word = term.group(1).replace("\\_", "_")
                name = f"{section}.{word}" if sectioned else word
                entries.setdefault(name, "")
            elif name and line.startswith("\t"):
                entries[name] += " " + line.strip()
            else:
                name = None
    return entries


def reload_problems(src, table):
    problems = []
    pages = {"ha.cf": ("ha.cf.5.scd", False), "hb.conf": ("hb.conf.5.scd", True)}
    for file, (page, sectioned) in pages.items():
        entries = scd_entries(os.path.join(src, "man", page), sectioned)
        for (f, setting), value in table.items():
            if f != file:
                continue
            said = re.findall(r"Reload: (live|at the next hand-over|restart)\b",
                              entries.get(setting, ""))
            if said != [RELOAD_WORDS[value]]:
                problems.append(f"{page}: {setting} should say \"Reload: "
                                f"{RELOAD_WORDS[value]}\" (the grammar's column), says {said}")
    return problems


def lint(path):
    problems = []
    groff = subprocess.run(["groff", "-man", "-ww", "-z", path], capture_output=True, text=True)
    if groff.returncode != 0 or groff.stderr.strip():
        problems.append(f"groff -man -ww -z {path}: {groff.stderr.strip() or groff.returncode}")
    mandoc = subprocess.run(["mandoc", "-T", "lint", "-W", "warning", path],
                            capture_output=True, text=True)
    problems += (mandoc.stdout + mandoc.stderr).splitlines()
    return problems


def main():
    src, hbctl, reload_exe, pages = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    missing = [tool for tool in ("groff", "mandoc") if shutil.which(tool) is None]
    if missing:
        print(f"missing {' and '.join(missing)}: run scripts/ensure-deps.sh test")
        return 1
    text = {}
    for path in pages:
        with open(path) as f:
            text[os.path.basename(path)] = f.read()
    problems = []

    commands = hbctl_commands(hbctl)
    if len(commands) < 5:
        problems.append(f"hbctl --help listed too few commands: {commands}")
    for c in commands:
        if bold(c) not in text["hbctl.8"]:
            problems.append(f"hbctl.8 has no term for the sub-command \"{c}\"")

    directives = ha_cf_directives(src)
    if len(directives) < 30:
        problems.append(f"read too few directives from ha_cf.cpp: {directives}")
    for d in directives:
        if bold(d) not in text["ha.cf.5"]:
            problems.append(f"ha.cf.5 has no term for the directive \"{d}\"")

    sub_commands = cl_status_commands(src)
    if len(sub_commands) < 10:
        problems.append(f"read too few cl_status sub-commands: {sub_commands}")
    for c in sub_commands:
        if bold(c) not in text["cl_status.1"]:
            problems.append(f"cl_status.1 has no term for the sub-command \"{c}\"")

    for name, ident in message_ids(src):
        if not any(ident in text[p] for p in DAEMON_PAGES):
            problems.append(f"MESSAGE_ID {ident} (msgid::{name}) is in no daemon page or hb.7")

    table = reload_table(reload_exe)
    if len(table) < 40:
        problems.append(f"the reload table listed too few settings: {table}")
    problems += reload_problems(src, table)

    for path in pages:
        problems += lint(path)

    for p in problems:
        print(p)
    print(f"{len(pages)} pages, {len(commands)} hbctl commands, {len(directives)} directives, "
          f"{len(sub_commands)} cl_status commands, {len(table)} reload entries: "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
