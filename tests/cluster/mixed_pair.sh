#!/usr/bin/env bash
# The faults of a pair during a rolling upgrade from heartbeat (issue 19), in one state of the
# upgrade: KIND1-KIND2 is what ha1 and ha2 run, each `heartbeat` (Debian's 3.0.6) or `hb`
# (heartbeat-heartbeat is the reference the mixed states are compared with). The seed's files,
# ping node and ipfail; a client GETs the site every 20 ms and a sampler checks that the IP and
# /ha are never held twice. With ha1 (the preferred node) serving:
#   1. ha1 loses power: ha2 takes over; ha1 boots: auto_failback brings the group back;
#   2. ha1 stops cleanly: ha2 takes over at once; ha1 starts: the group comes back;
#   3. ha2 (the standby) stops cleanly and starts again: ha1 serves throughout;
#   4. ha1 hands the group to ha2 by its standby command; ha2 (now the holder) loses power:
#      ha1 takes over; ha2 boots: ha1 keeps the group (it prefers ha1);
#   5. ha1 loses the ping node: ipfail moves the group to ha2; ping restored: the group comes
#      back to ha1 (auto_failback: on an equal count heartbeat's ipfail gives foreign groups back,
#      hb's too).
# Each step reports its longest time without a page and its failed requests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
STATE=${2:?usage: mixed_pair.sh BUILD_DIR KIND1-KIND2}
KIND1=${STATE%-*}
KIND2=${STATE#*-}
for k in "$KIND1" "$KIND2"; do
  [ "$k" = hb ] || [ "$k" = heartbeat ] || fail "unknown kind '$k' in '$STATE' (hb or heartbeat)"
done
kind_of() { [ "$1" = ha1 ] && echo "$KIND1" || echo "$KIND2"; } # NODE
named() { echo "$1 ($(kind_of "$1"))"; }                          # NODE

rig_up --stack heartbeat --serial
# heartbeat's two nodes started at once wait its RQSTDELAY (10 s) before taking their groups.
wait_for 40 "ha1 (heartbeat) serves the site" serves ha1
for node in ha2 ha1; do
  [ "$(kind_of "$node")" = hb ] || continue
  rig switch "$node" hb
  wait_for 20 "ha1 serves again after $node switched to hb" serves ha1
done
peer_of() { [ "$1" = ha1 ] && echo ha2 || echo ha1; }
for node in ha1 ha2; do
  wait_for 20 "$(named "$node") sees $(named "$(peer_of "$node")") active" \
    sees_active "$node" "$(peer_of "$node")"
done
say "the pair: ha1 runs $KIND1, ha2 runs $KIND2; ha1 serves"
start_sampler
start_poller

step() { say "$*"; } # a step's name; wait_for says how long each of its events took
standby_all() { # NODE: the node's own standby command
  if [ "$(kind_of "$1")" = hb ]; then
    in_node "$1" hbctl standby all >/dev/null
  else
    heartbeat_standby "$1" "$(peer_of "$1")"
  fi
}
both_see_each_other() {
  wait_for 30 "ha1 sees ha2 active" sees_active ha1 ha2
  wait_for 30 "ha2 sees ha1 active" sees_active ha2 ha1
}

step "1. $(named ha1) loses power, then boots"
rig poweroff ha1
wait_for 30 "power loss of ha1 -> ha2 serves" serves ha2
rig boot ha1 >/dev/null
wait_for 30 "boot of ha1 -> ha1 serves again (auto_failback)" serves ha1
holds_nothing ha2 || fail "ha2 still holds something after the failback: $(rig holders)"
report_outage "step 1"

step "2. $(named ha1) stops cleanly, then starts"
both_see_each_other
rig hb-stop ha1
wait_for 30 "clean stop of ha1 -> ha2 serves" serves ha2
rig hb-start ha1
wait_for 30 "start of ha1 -> ha1 serves again (auto_failback)" serves ha1
holds_nothing ha2 || fail "ha2 still holds something after the failback: $(rig holders)"
report_outage "step 2"

step "3. $(named ha2), the standby, stops cleanly and starts again"
both_see_each_other
rig hb-stop ha2
serves ha1 || fail "ha1 stopped serving when ha2 stopped"
rig hb-start ha2
both_see_each_other
serves ha1 || fail "ha1 stopped serving when ha2 started"
holds_nothing ha2 || fail "ha2 took something when it started: $(rig holders)"
report_outage "step 3"

step "4. $(named ha1) hands the group to $(named ha2), which then loses power"
standby_all ha1
wait_for 30 "standby on ha1 -> ha2 serves" serves ha2
holds_nothing ha1 || fail "ha1 still holds something after its standby: $(rig holders)"
rig poweroff ha2
wait_for 30 "power loss of ha2 -> ha1 serves" serves ha1
rig boot ha2 >/dev/null
both_see_each_other
serves ha1 || fail "ha1 gave the group up when ha2 came back"
holds_nothing ha2 || fail "ha2 took something when it booted: $(rig holders)"
report_outage "step 4"

step "5. $(named ha1) loses the ping node (ipfail), then reaches it again"
rig ping-cut ha1
wait_for 30 "ping-cut of ha1 -> ha2 serves" serves ha2
holds_nothing ha1 || fail "ha1 still holds something after losing the ping node: $(rig holders)"
rig ping-restore ha1
wait_for 30 "ping-restore of ha1 -> ha1 serves again" serves ha1
holds_nothing ha2 || fail "ha2 still holds something after ha1's ping came back: $(rig holders)"
report_outage "step 5"

stop_poller
say "client: $(poll_total) requests, $(poll_count -) failed"
stop_sampler || fail "two holders"
say "PASS: the $STATE pair's faults"
