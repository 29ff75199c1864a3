#!/usr/bin/env bash
# How fast the rig brings up a cluster: N runs of `rig up` + `rig down` (cached layer), reporting
# min/median/max of the nodes' boot (nspawn start -> every node's systemd done, hb.target started
# if installed), of the whole `rig up`, and of `rig down`.
#   bench/rig-boot.sh [--runs N] [--nodes K] [--build-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
RIG=tests/rig/rig
runs=5 nodes=2 build=build
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift ;;
    --nodes) nodes=$2; shift ;;
    --build-dir) build=$2; shift ;;
    *) echo "usage: $0 [--runs N] [--nodes K] [--build-dir DIR]" >&2; exit 64 ;;
  esac
  shift
done
run=""
trap '[ -n "$run" ] && HB_RIG=$run $RIG down >/dev/null 2>&1' EXIT
"$RIG" up --nodes "$nodes" --build-dir "$build" 2>/dev/null | tail -1 | xargs -I{} env HB_RIG={} "$RIG" down >/dev/null 2>&1 # warm the layer cache
boot=() up=() down=()
for i in $(seq 1 "$runs"); do
  run=$("$RIG" up --nodes "$nodes" --build-dir "$build" 2>/dev/null | tail -1)
  eval "$(HB_RIG=$run "$RIG" info | grep -E '^(BOOT|UP)_SECONDS=')"
  boot+=("$BOOT_SECONDS") up+=("$UP_SECONDS")
  t=$(date +%s.%N)
  HB_RIG=$run "$RIG" down >/dev/null 2>&1
  down+=("$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')")
  run=""
done
stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "min %.2f  median %.2f  max %.2f s", v[1], v[int((NR + 1) / 2)], v[NR] }'; }
echo "rig, $nodes nodes, $runs runs (cached layer):"
echo "  nodes booted: $(stats "${boot[@]}")"
echo "  rig up:       $(stats "${up[@]}")"
echo "  rig down:     $(stats "${down[@]}")"
