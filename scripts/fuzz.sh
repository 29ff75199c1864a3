#!/usr/bin/env bash
# The fuzz suite: builds the libFuzzer targets with clang, AddressSanitizer and UBSan in
# build-fuzz, then runs each for HB_FUZZ_SECONDS (default 60) from its seed corpus.
#   scripts/fuzz.sh                  # every target, 60 s each
#   HB_FUZZ_SECONDS=600 scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=${HB_FUZZ_BUILD_DIR:-build-fuzz}
scripts/ensure-deps.sh fuzz || exit 1
if [ ! -f "$build/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$build" -Dsanitize=true \
    -Dcpp_args=-fsanitize=fuzzer-no-link >/dev/null
fi
meson compile -C "$build" proto_decode_fuzz config_parse_fuzz
meson test -C "$build" --suite fuzz --print-errorlogs -v
