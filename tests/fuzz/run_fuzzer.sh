#!/usr/bin/env bash
# Runs one libFuzzer target for HB_FUZZ_SECONDS (default 60) from its seed corpus, keeping what
# it finds in a temporary directory (the seed corpus in the source tree is only read). A crash,
# leak or timeout fails the test and leaves the reproducer in the log (crash-<sha1> in the cwd).
#   run_fuzzer.sh FUZZER SEED_CORPUS_DIR
set -euo pipefail
fuzzer=$1 seeds=$2
work=$(mktemp -d /tmp/hb-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
# -error_exitcode=1: libFuzzer's default (77) would read as "skipped" to meson.
"$fuzzer" -max_total_time="${HB_FUZZ_SECONDS:-60}" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 \
  -print_final_stats=1 "$work" "$seeds"
echo "$(basename "$fuzzer"): no crash in ${HB_FUZZ_SECONDS:-60} s; $(find "$work" -type f | wc -l) new inputs kept in the run"
