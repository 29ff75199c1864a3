#!/usr/bin/env bash
# A heartbeat 3.0.6 pair upgraded to hb one node at a time, serving throughout (a client GETs
# the site every 20 ms, a sampler checks that the IP and /ha are never held twice). Each node is
# switched in place (`rig switch`: the old stack stopped and masked, the new one started, as the
# package's Conflicts: path does; the package suite does the same with apt-get):
#   1. both nodes heartbeat, ha1 serving;
#   2. ha2 switched to hb: ha1 serves on, each sees the other active;
#   3. the group moved to ha2 with heartbeat's hb_standby on ha1; ha1 switched to hb; auto_failback
#      brings the group back to ha1.
#   4. ha2 switched back to heartbeat while ha1 (hb) serves; ha1 loses power; ha2 (heartbeat)
#      takes over; ha1 (hb) boots and auto_failback brings the group back to it.
# Each step reports the longest time without a page and the failed requests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

rig_up --stack heartbeat --serial
# heartbeat's two nodes started at once wait its RQSTDELAY (10 s) before taking their groups.
wait_for 40 "ha1 (heartbeat) serves the site" page_names http://192.0.2.10/hostname.html ha1
start_sampler
start_poller

# What `hbctl status` on an hb NODE says PEER speaks in hand-overs (hb, heartbeat, or null).
speaks() { # NODE PEER KIND
  [ "$(in_node "$1" hbctl status --json 2>/dev/null | python3 -c '
import json, sys
print([n["protocol"] for n in json.load(sys.stdin)["nodes"] if n["name"] == sys.argv[1]][0])' "$2")" = "$3" ]
}
# The files as heartbeat reads them on this node: nothing in them is hb's alone.
out=$(in_node ha2 hbctl config check --heartbeat 2>&1) ||
  fail "hbctl config check --heartbeat on ha2 (heartbeat) flags the rig's files: $out"
say "1. both nodes run heartbeat 3.0.6; ha1 serves; hbctl config check --heartbeat finds nothing"
report_outage "step 1"

# 2. ha2 to hb.
rig switch ha2 hb
wait_for 15 "ha1 (heartbeat) sees ha2 (hb) active" sees_active ha1 ha2
wait_for 15 "ha2 (hb) sees ha1 (heartbeat) active" sees_active ha2 ha1
serves ha1 || fail "ha1 stopped serving when ha2 switched to hb"
holds_nothing ha2 || fail "ha2 (hb) took something: $(rig holders)"
wait_for 10 "hbctl status on ha2 (hb) says ha1 speaks heartbeat" speaks ha2 ha1 heartbeat
say "2. ha2 switched to hb: ha1 serves on, each sees the other active"
report_outage "step 2"

# 3. hb_standby on ha1 (heartbeat's own command): the group goes to ha2 (hb).
t=$(date +%s.%N)
heartbeat_standby ha1 ha2
say "   hb_standby on ha1 -> ha2 serves: $(secs_since "$t") s"
t=$(date +%s.%N)
rig switch ha1 hb
wait_for 20 "ha1 (hb) serves again (auto_failback)" serves ha1
say "   ha1 switched to hb -> ha1 serves again: $(secs_since "$t") s"
wait_for 10 "hbctl status on ha2 says ha1 speaks hb now" speaks ha2 ha1 hb
say "3. the group moved to ha2 (hb) by heartbeat's hb_standby, and back to ha1 once it runs hb"
report_outage "step 3"

# 4. ha2 back to heartbeat (the way back of the upgrade guide) while ha1 (hb) serves.
rig switch ha2 heartbeat
wait_for 20 "ha2 (heartbeat) sees ha1 (hb) active" sees_active ha2 ha1
wait_for 15 "ha1 (hb) sees ha2 (heartbeat) active" sees_active ha1 ha2
serves ha1 || fail "ha1 stopped serving when ha2 switched back to heartbeat"
holds_nothing ha2 || fail "ha2 (heartbeat) took something: $(rig holders)"
wait_for 10 "hbctl status on ha1 says ha2 speaks heartbeat again" speaks ha1 ha2 heartbeat
say "4. ha2 switched back to heartbeat: ha1 (hb) serves on, each sees the other active"
report_outage "step 4a"
t=$(date +%s.%N)
rig poweroff ha1
wait_for 15 "ha2 (heartbeat) serves after ha1 (hb) lost power" serves ha2
say "   ha1 (hb) lost power -> ha2 (heartbeat) serves: $(secs_since "$t") s"
report_outage "step 4b"
t=$(date +%s.%N)
rig boot ha1 >/dev/null
wait_for 20 "ha1 (hb) serves again after its boot (auto_failback)" serves ha1
say "   ha1 (hb) booted -> ha1 serves again: $(secs_since "$t") s"
report_outage "step 4c"

stop_poller
say "client: $(poll_total) requests, $(poll_count -) failed"
stop_sampler || fail "two holders"
say "PASS: rolling upgrade from heartbeat to hb, one node at a time"
