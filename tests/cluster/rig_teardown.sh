#!/usr/bin/env bash
# `rig down` removes everything a run made, and so does an interrupted `rig up`: no process, mount,
# loop device, namespace, link or cgroup of the run is left on the host.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs

runs_before=$("$RIG" list | sort)
new_run() { comm -13 <(echo "$runs_before") <("$RIG" list | sort) | head -1; }

# 1. A complete run with every option, then down.
rig_up --nodes 3 --serial --lan2
id=$RUN
"$RIG" down >/dev/null 2>&1
RUN=""
"$RIG" check-clean "$id" || fail "rig down left something of run $id behind"
say "up (3 nodes, serial, lan2) + down: nothing left of run $id"

# 2. `rig up` interrupted at several points while it builds the run.
for delay in 0.3 1.0 1.4 1.8; do
  "$RIG" up --build-dir "$BUILD_DIR" --serial --lan2 >/dev/null 2>&1 &
  up=$!
  sleep $delay
  id=$(new_run)
  kill -TERM $up 2>/dev/null || true
  up_rc=0
  wait $up || up_rc=$?
  if [ -z "$id" ]; then
    say "interrupted after $delay s: no run created yet"
    continue
  fi
  if [ $up_rc = 0 ]; then
    # On an idle machine two nodes are up in well under 1.8 s: then the signal came too late to
    # interrupt anything, and the run is a finished one that `rig down` must remove.
    HB_RIG=$id "$RIG" down >/dev/null 2>&1 || fail "rig down of run $id failed"
    "$RIG" check-clean "$id" || fail "rig down left something of run $id behind"
    say "up had finished before the signal at $delay s; down left nothing of run $id"
    continue
  fi
  if ! "$RIG" check-clean "$id"; then
    HB_RIG=$id "$RIG" down >/dev/null 2>&1 || true
    fail "rig up interrupted after $delay s left run $id behind"
  fi
  say "up interrupted after $delay s: nothing left of run $id"
done
say "PASS: teardown"
