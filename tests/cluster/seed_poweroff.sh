#!/usr/bin/env bash
# Hard power-off of the active node: the standby serves the site within deadtime (1 s) plus a small
# margin, never with two holders of the IP or /ha; when ha1 boots again the group returns to it
# (auto_failback on). Fails (never skips) when hb-resourced does not run the group.
# Every view of the status agrees on the owner before and after: hb-statusd's /api/v1/cluster,
# `hbctl status --json` and heartbeat's `cl_status rscstatus`; ha2's event stream (SSE, read
# through the power-off) shows ha1 dead, then the group starting on ha2, then running there, in
# that order; ha2's /metrics shows ha1 dead and counts one failover.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
DEADTIME=1
MARGIN=${HB_CLUSTER_MARGIN:-1.5}

serving_cluster "power-off scenario"

# The owner of the group as NODE's three views say it: "api hbctl cl_status".
owner_views() { # NODE
  local api ctl cls
  api=$(in_node "$1" curl -fsS --max-time 2 http://127.0.0.1:9694/api/v1/cluster |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["groups"][0]["owner"])')
  ctl=$(in_node "$1" hbctl status --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["groups"][0]["owner"])')
  cls=$(in_node "$1" cl_status rscstatus)
  echo "$api $ctl $cls"
}
views_say() { [ "$(owner_views "$1")" = "$2" ]; } # NODE "api hbctl cl_status"
wait_for 5 "ha1's views: ha1 owns the group, its own group here (local)" views_say ha1 "ha1 ha1 local"
wait_for 5 "ha2's views: ha1 owns the group (rscstatus local: it has none of its own)" views_say ha2 "ha1 ha1 local"
# ha2's event stream, read by curl in a unit of its own on ha2 (from the current state on).
in_node ha2 systemd-run --quiet --unit=hb-test-events --property=StandardOutput=file:/run/hb-test-events \
  curl -sN http://127.0.0.1:9694/api/v1/events || fail "could not start the event reader on ha2"
wait_for 5 "ha2's event stream is open" in_node ha2 test -s /run/hb-test-events

t=$(date +%s.%N)
rig poweroff ha1
limit=$(awk -v d=$DEADTIME -v m="$MARGIN" 'BEGIN { print d + m }')
wait_for "$limit" "ha2 serves hostname.html after ha1's power loss (limit: deadtime $DEADTIME s + $MARGIN s)" \
  page_names http://192.0.2.10/hostname.html ha2
say "power-off -> first page from ha2: $(secs_since "$t") s"
wait_for 5 "ha2's views: ha2 owns the group (rscstatus all)" views_say ha2 "ha2 ha2 all"
in_node ha2 systemctl stop hb-test-events
in_node ha2 cat /run/hb-test-events | python3 -c '
import json, sys
events = []
for block in sys.stdin.read().split("\n\n"):
    kind = data = None
    for line in block.splitlines():
        if line.startswith("event: "): kind = line[7:]
        if line.startswith("data: "): data = json.loads(line[6:])
    if kind in ("node", "group"): events.append((kind, data))
def find(pred, after=-1):
    return next((i for i, (k, d) in enumerate(events) if i > after and pred(k, d)), None)
dead = find(lambda k, d: k == "node" and d["node"] == "ha1" and d["new_state"] == "dead")
starting = find(lambda k, d: k == "group" and d["new_owner"] == "ha2" and d["new_state"] == "starting", dead if dead is not None else 10**9)
running = find(lambda k, d: k == "group" and d["new_owner"] == "ha2" and d["new_state"] == "running", starting if starting is not None else 10**9)
for k, d in events: print("  event:", k, json.dumps(d, sort_keys=True))
sys.exit(0 if None not in (dead, starting, running) else 1)
' || fail "ha2's event stream did not show ha1 dead -> starting on ha2 -> running on ha2, in order"
say "ha2's event stream: ha1 dead -> group starting on ha2 -> running on ha2"
metrics=$(in_node ha2 curl -fsS --max-time 2 http://127.0.0.1:9694/metrics)
grep -qx 'hb_node_state{node="ha1",type="normal",state="dead"} 1' <<<"$metrics" ||
  fail "ha2's /metrics does not show ha1 dead"
grep -qx 'hb_failovers_total{group="192.0.2.10"} 1' <<<"$metrics" ||
  fail "ha2's /metrics does not count one failover: $(grep '^hb_failovers_total' <<<"$metrics")"
say "ha2's /metrics: ha1 dead, 1 failover, $(grep '^hb_last_takeover_duration_seconds' <<<"$metrics")"

t=$(date +%s.%N)
rig boot ha1
wait_for 15 "ha1 serves again after it booted (auto_failback on)" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "ha2 released everything" holds_nothing ha2
wait_for 5 "ha1's views: ha1 owns the group again" views_say ha1 "ha1 ha1 local"
wait_for 5 "ha2's views: ha1 owns the group again" views_say ha2 "ha1 ha1 local"
say "boot -> failback: $(secs_since "$t") s"
say "PASS: power-off of the active node"
