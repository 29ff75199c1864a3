#!/usr/bin/env bash
# Hard power-off of the active node: the standby serves the site within deadtime (1 s) plus a small
# margin, never with two holders of the IP or /ha; when ha1 boots again the group returns to it
# (auto_failback on). Fails (never skips) when hb-resourced does not run the group.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
DEADTIME=1
MARGIN=${HB_CLUSTER_MARGIN:-1.5}

serving_cluster "power-off scenario"

t=$(date +%s.%N)
rig poweroff ha1
limit=$(awk -v d=$DEADTIME -v m="$MARGIN" 'BEGIN { print d + m }')
wait_for "$limit" "ha2 serves hostname.html after ha1's power loss (limit: deadtime $DEADTIME s + $MARGIN s)" \
  page_names http://192.0.2.10/hostname.html ha2
say "power-off -> first page from ha2: $(secs_since "$t") s"

t=$(date +%s.%N)
rig boot ha1
wait_for 15 "ha1 serves again after it booted (auto_failback on)" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "ha2 released everything" holds_nothing ha2
say "boot -> failback: $(secs_since "$t") s"
say "PASS: power-off of the active node"
