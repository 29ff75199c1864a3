#!/usr/bin/env bash
# Fails when a C++ file of the tree is not as .clang-format wants it (run by the unit suite, so by
# the README's test command). Fix with: clang-format -i FILE (or the whole list below).
#   scripts/check-format.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files '*.cpp' '*.hpp')
else
  files=$(find common services hbctl tests bench -name '*.cpp' -o -name '*.hpp')
fi
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files
echo "ok: $(echo "$files" | wc -l) C++ files formatted as .clang-format says"
