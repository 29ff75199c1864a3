#!/usr/bin/env bash
# A partition of the heartbeat links only (UDP 694 dropped on ha1; the client still reaches both
# nodes): after deadtime ha2 declares ha1 dead and takes the group too (heartbeat's v1 semantics
# without fencing: both hold it, and ha2's gratuitous ARPs send the clients to ha2). When the links
# heal, ha2 (later in the group's succession) lets go and ha1 keeps the group without a restart;
# ha1 then announces the address again, so the clients come back to it at once instead of
# sending to ha2's MAC address until their ARP cache expires (30 s and more).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

rig_up
if ! in_node ha1 systemctl cat hb.target >/dev/null 2>&1; then
  fail "hb.target is not installed by this build"
fi
if ! why=$(resourced_ready ha1); then fail "$why"; fi
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
sleep 1
apache=$(in_node ha1 systemctl show -P MainPID apache2.service)

rig cut ha1 udp
wait_for 5 "ha2 took the group during the partition" holds_ip ha2
wait_for 5 "the client is sent to ha2 (its gratuitous ARPs)" page_names http://192.0.2.10/hostname.html ha2
holds_ip ha1 || fail "ha1 let go of the group during the partition"

t=$(date +%s.%N)
rig restore ha1 udp
wait_for 5 "ha2 let go after the partition healed" holds_nothing ha2
wait_for 2 "the client is served by ha1 again" page_names http://192.0.2.10/hostname.html ha1
say "partition healed: ha1 serves again $(secs_since "$t") s after the links came back"
[ "$(in_node ha1 systemctl show -P MainPID apache2.service)" = "$apache" ] ||
  fail "ha1's Apache was restarted: the winner must keep running"
in_node ha1 journalctl -q -u hb-resourced.service --grep "announcing hb-ipaddr@" >/dev/null ||
  fail "ha1 did not announce the address again"
n=$(in_node ha1 journalctl -q -u hb-resourced.service --grep "both ha1 and ha2 hold" | wc -l)
[ "$n" = 1 ] || fail "ha1 logged the split brain $n times, not once"
say "PASS: a healed split brain leaves the group on ha1, which announces the address again"
