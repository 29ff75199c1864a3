#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the unit, bus and cluster
# suites, and ends with 'N passed, N failed, N skipped' counted from meson's JUnit log.
#   scripts/test.sh [extra meson test args, e.g. --suite unit]
set -uo pipefail
cd "$(dirname "$0")/.."
build=${HB_BUILD_DIR:-build}

scripts/ensure-deps.sh rig || exit 1
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --werror >/dev/null || exit 1
fi
meson compile -C "$build" || exit 1

meson test -C "$build" --print-errorlogs "$@"
rc=$?
python3 tests/summarize_junit.py "$build/meson-logs/testlog.junit.xml" || rc=1
exit $rc
