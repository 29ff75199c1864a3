#!/usr/bin/env python3
"""Every MESSAGE_ID hb logs is in common/core/log/message_ids.hpp, and the catalog
(units/catalog/hb.catalog, what `journalctl -x` explains) has exactly those: no id logged without
an explanation, no explanation of an id nobody logs, none defined anywhere else in the sources.

usage: message_ids_test.py SOURCE_DIR
"""
import os
import re
import sys

ID = re.compile(r'"([0-9a-f]{32})"')


def main():
    src = sys.argv[1]
    header = os.path.join(src, "common", "core", "log", "message_ids.hpp")
    with open(header) as f:
        text = f.read()
    named = dict((name, ident) for name, ident in
                 re.findall(r'inline constexpr const char\* (\w+) = "([0-9a-f]{32})";', text))
    ids = list(named.values())
    problems = []
    if len(set(ids)) != len(ids):
        problems.append("an id is given to two names in message_ids.hpp")
    with open(os.path.join(src, "units", "catalog", "hb.catalog")) as f:
        catalog = re.findall(r"^-- ([0-9a-f]{32})$", f.read(), re.M)
    for name, ident in sorted(named.items()):
        if ident not in catalog:
            problems.append(f"msgid::{name} ({ident}) has no entry in units/catalog/hb.catalog")
    for ident in catalog:
        if ident not in ids:
            problems.append(f"units/catalog/hb.catalog explains {ident}, which message_ids.hpp lacks")
    # Defined nowhere else: a quoted 32-hex-digit string in any other C++ source.
    for top in ("common", "services", "hbctl"):
        for root, _, files in os.walk(os.path.join(src, top)):
            for fn in files:
                path = os.path.join(root, fn)
                if not fn.endswith((".cpp", ".hpp")) or os.path.samefile(path, header):
                    continue
                with open(path, errors="replace") as f:
                    for ident in ID.findall(f.read()):
                        problems.append(f"{os.path.relpath(path, src)} defines MESSAGE_ID {ident} "
                                        "outside message_ids.hpp")
    # The one shell script that logs an id uses one of the header's.
    with open(os.path.join(src, "units", "hb-unit-failed")) as f:
        for ident in re.findall(r"msgid=([0-9a-f]{32})", f.read()):
            if ident not in ids:
                problems.append(f"units/hb-unit-failed logs {ident}, which message_ids.hpp lacks")
    for p in problems:
        print("FAIL: " + p)
    if not problems:
        print(f"ok: {len(ids)} MESSAGE_IDs, all in message_ids.hpp and explained by the catalog")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
