#!/usr/bin/env python3
"""Prints 'N passed, N failed, N skipped' from meson's JUnit log.

meson merges every GoogleTest case (protocol: gtest) into testlog.junit.xml; other tests are one
case each. Exit 1 when the log is missing or no test ran, so an empty run is never green.
"""
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError, IndexError) as e:
    print(f"no test log: {e}", file=sys.stderr)
    print("0 passed, 0 failed")
    sys.exit(1)

passed = failed = skipped = 0
for case in root.iter("testcase"):
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is not None:
        skipped += 1
    else:
        passed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if passed + failed == 0 else 0)
