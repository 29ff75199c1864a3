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

# The interop tests run hb-linkd against Debian's heartbeat 3.0.6, which the rig installs into a
# cached package layer (never on the host). Build that layer once, by booting and removing a rig;
# without it (no package registry) those tests skip and say why.
if ! ls /var/cache/hb-rig/pkgs-*/tree/usr/libexec/heartbeat/heartbeat >/dev/null 2>&1; then
  run=$(tests/rig/rig up --packages heartbeat --hb off --build-dir "$build" | tail -1) &&
    HB_RIG=$run tests/rig/rig down ||
    echo "hb: could not build the heartbeat package layer; the interop tests will skip" >&2
fi

meson test -C "$build" --print-errorlogs "$@"
rc=$?
python3 tests/summarize_junit.py "$build/meson-logs/testlog.junit.xml" || rc=1
exit $rc
