#!/usr/bin/env bash
# A hung hb-linkd on the active node (SIGSTOP: the process stays, its bus name stays, but no
# heartbeat leaves ha1): ha2 declares ha1 dead after deadtime and takes the group, so ha1 must
# have released it before: never two holders of the IP or /ha. When hb-linkd runs again
# (SIGCONT) ha1 comes back and gets the group back (auto_failback on).
# A hung hb-membershipd on the active node moves nothing: ha1's heartbeats still go out.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

serving_cluster "hang scenario"

pid=$(in_node ha1 systemctl show -P MainPID hb-linkd.service)
t=$(date +%s.%N)
in_node ha1 kill -STOP "$pid"
wait_for 3 "ha1 released the group while its hb-linkd hangs" holds_nothing ha1
wait_for 3 "ha2 serves after ha1's hb-linkd hung" page_names http://192.0.2.10/hostname.html ha2
# "hb-linkd's heartbeats last left N ms ago: it hangs" (its heartbeat beacon).
in_node ha1 journalctl -q -u hb-resourced.service --grep "heartbeats last left .*: it hangs" >/dev/null ||
  fail "ha1's journal does not say why it released"
say "hb-linkd stopped on ha1: ha1 let go, ha2 serves ($(secs_since "$t") s)"
in_node ha1 kill -CONT "$pid"
wait_for 10 "ha1 serves again once its hb-linkd runs (auto_failback on)" \
  page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "ha2 released everything" holds_nothing ha2

pid=$(in_node ha1 systemctl show -P MainPID hb-membershipd.service)
in_node ha1 kill -STOP "$pid"
sleep_past deadtime 1.5 # a takeover, if any, would have happened
holds_ip ha1 && holds_mount ha1 || fail "ha1 lost the group while its hb-membershipd hung"
holds_nothing ha2 || fail "ha2 took resources while ha1's hb-membershipd hung"
page_names http://192.0.2.10/hostname.html ha1 || fail "the site is not served by ha1"
# systemd's watchdog (WatchdogSec=5s) may have killed and restarted it meanwhile: also fine.
in_node ha1 kill -CONT "$pid" 2>/dev/null || say "hb-membershipd was restarted by its watchdog meanwhile"
say "hb-membershipd stopped on ha1 for 1.5 x deadtime: nothing moved"
say "PASS: a hung hb-linkd releases the group before the peer takes it; a hung hb-membershipd moves nothing"
