#!/usr/bin/env python3
"""Builds one man page: expands the MESSAGE_ID placeholders of a scdoc source, runs scdoc and
drops the paragraph macros scdoc writes around headings.

A line `@MESSAGE_IDS owner@` in a page's source becomes the list of the MESSAGE_IDs that owner
logs (a daemon such as hb-linkd, `every-daemon` for the entries common/sys logs for all of them,
`hb-unit-failed` for the unit script's), each with its catalog subject, so the pages follow
common/core/log/message_ids.hpp and units/catalog/hb.catalog and cannot drift from them.

Who logs an id is read from the sources: the daemon whose services/<daemon>/ files name
`msgid::<name>`; else every daemon when common/sys does; else the unit script whose text holds
the id; else the owner of the id before it in message_ids.hpp, which groups the ids by daemon
(an id used only through a table, such as hb-resourced's engine events, follows its group).

usage: build_page.py SCDOC SOURCE_ROOT INPUT.scd OUTPUT
"""
import pathlib
import re
import subprocess
import sys

DAEMONS = ["hb-linkd", "hb-membershipd", "hb-resourced", "ipfaild", "hb-statusd"]
PLACEHOLDER = re.compile(r"^@MESSAGE_IDS ([a-z-]+)@$")


def read_ids(root):
    text = (root / "common/core/log/message_ids.hpp").read_text()
    return re.findall(r'inline constexpr const char\* (\w+) = "([0-9a-f]{32})";', text)


def read_subjects(root):
    subjects, current = {}, None
    for line in (root / "units/catalog/hb.catalog").read_text().splitlines():
        m = re.match(r"^-- ([0-9a-f]{32})$", line)
        if m:
            current = m.group(1)
        elif current and line.startswith("Subject:"):
            subjects[current] = line[len("Subject:"):].strip()
            current = None
    return subjects


def sources(directory, keep=lambda p: p.suffix in (".cpp", ".hpp")):
    if not directory.is_dir():
        return ""
    return "\n".join(p.read_text(errors="replace") for p in sorted(directory.rglob("*"))
                     if p.is_file() and keep(p))


def owners(root, ids):
    daemon_text = {d: sources(root / "services" / d) for d in DAEMONS}
    common_text = sources(root / "common/sys")
    # The unit scripts; not the catalog, which names every id.
    unit_text = sources(root / "units", keep=lambda p: p.suffix != ".catalog")
    result, previous = {}, "every-daemon"
    for name, hex_id in ids:
        used = re.compile(r"msgid::" + name + r"\b")
        found = [d for d in DAEMONS if used.search(daemon_text[d])]
        if not found and used.search(common_text):
            found = ["every-daemon"]
        if not found and hex_id in unit_text:
            found = ["hb-unit-failed"]
        if not found:
            found = [previous]
        result[name] = found
        previous = found[0]
    return result


def scdoc_escape(text):
    return re.sub(r"([_*\\])", r"\\\1", text)


def id_list(owner, root):
    ids = read_ids(root)
    subjects = read_subjects(root)
    who = owners(root, ids)
    lines = []
    for name, hex_id in ids:
        if owner not in who[name]:
            continue
        subject = subjects.get(hex_id)
        if subject is None:
            sys.exit(f"build_page.py: MESSAGE_ID {hex_id} ({name}) has no Subject in hb.catalog")
        subject = re.sub(r"^hb: ", "", subject)
        subject = re.sub(r"@([A-Z_]+)@", r"\1", subject)
        lines += [f"*{hex_id}*", "\t" + scdoc_escape(subject), ""]
    if not lines:
        sys.exit(f"build_page.py: no MESSAGE_ID is logged by {owner}")
    return lines


def without_redundant_paragraphs(roff):
    """scdoc writes a paragraph macro (.P) after each heading, before the next one, twice in a
    row after a blank line it was given twice, and as the last line of an indented block. A
    heading already starts a paragraph and a paragraph cannot be empty, so mandoc -T lint notes
    each. Dropping the redundant ones and moving the block's last after the block's end (.RE)
    leaves the page as groff renders it and the lint clean."""
    lines = []
    for line in roff.split("\n"):
        if line == ".P" and lines and lines[-1] == ".P":
            continue
        if line == ".RE" and lines and lines[-1] == ".P":
            lines[-1:] = [".RE", ".P"]
            continue
        lines.append(line)
    kept = []
    for i, line in enumerate(lines):
        if line == ".P":
            before = kept[-1] if kept else ""
            after = lines[i + 1] if i + 1 < len(lines) else ""
            if before.startswith((".TH", ".SH", ".SS", ".P")) or after.startswith((".SH", ".SS")):
                continue
        kept.append(line)
    return "\n".join(kept)


def main():
    scdoc, root, source, output = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    out = []
    for line in pathlib.Path(source).read_text().splitlines():
        m = PLACEHOLDER.match(line)
        out += id_list(m.group(1), root) if m else [line]
    page = subprocess.run([scdoc], input="\n".join(out) + "\n", capture_output=True, text=True)
    if page.returncode != 0:
        sys.exit(f"scdoc failed on {source}: {page.stderr.strip()}")
    pathlib.Path(output).write_text(without_redundant_paragraphs(page.stdout))


if __name__ == "__main__":
    main()
