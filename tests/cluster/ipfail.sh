#!/usr/bin/env bash
# ipfaild on the rig (issue 7): the seed's `ping 192.0.2.1` + `respawn hacluster
# /usr/lib/heartbeat/ipfail`, keepalive 100 ms, deadtime (= deadping) 1 s, settle 2 × keepalive.
#   1. cut ha1 (the active node) from the ping node: the group moves to ha2 within deadping +
#      settle + give-up delay + the resource switch; prints the time to the first page from ha2;
#   2. restore: the group comes back to ha1 (auto_failback on);
#   3. cut both: nothing moves.
# A sampler checks every 20 ms that no two nodes hold the IP or /ha at once.
# Fails (never skips) when hb-resourced does not run the group.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

rig_up --hb manual
if ! in_node ha1 systemctl cat hb.target >/dev/null 2>&1; then
  fail "hb.target is not installed by this build"
fi
in_node ha1 systemctl cat ipfaild.service >/dev/null 2>&1 || fail "ipfaild.service not installed"
start_sampler

IPF=(io.github.hbcluster.ipfail1 /io/github/hbcluster/ipfail1 io.github.hbcluster.ipfail1.Manager)
count_is() { # NODE PROPERTY N
  [ "$(in_node "$1" busctl get-property "${IPF[@]}" "$2" 2>/dev/null)" = "u $3" ]
}
serves() { page_names http://192.0.2.10/hostname.html "$1"; }

rig hb-start ha1
if ! why=$(resourced_ready ha1); then fail "$why"; fi
wait_for 10 "ha1 serves the group" serves ha1
rig hb-start ha2
for n in ha1 ha2; do
  # hb-respawn-generator turned the respawn line into hb.target.wants/ipfaild.service.
  in_node "$n" test -L /run/systemd/generator/hb.target.wants/ipfaild.service ||
    fail "$n: no hb.target.wants/ipfaild.service from hb-respawn-generator"
  wait_for 10 "ipfaild runs on $n (pulled in by the respawn line)" \
    "$RIG" exec "$n" systemctl is-active --quiet ipfaild.service
  wait_for 10 "$n reaches the ping node" count_is "$n" LocalCount 1
  wait_for 10 "$n knows its peer reaches it too" count_is "$n" PeerCount 1
done
serves ha1 || fail "ha1 lost the group when ha2 joined: $(rig holders)"

# 1. ha1 loses the ping node: deadping 1 s + settle 0.2 s + give-up 0.2 s + the switch.
t=$(date +%s.%N)
rig ping-cut ha1
wait_for 15 "1. ha2 serves hostname.html after ha1 lost the ping node" serves ha2
CUT_TO_PAGE=$(secs_since "$t")
holds_nothing ha1 || fail "ha1 still holds a resource: $(rig holders)"
apache_inactive ha1 || fail "Apache still runs on ha1"
in_node ha1 journalctl -u ipfaild.service -o cat --no-pager | grep -E "standby|ping node" | tail -5 |
  sed 's/^/    ha1 ipfaild: /'
say "1. ping-cut ha1 -> first page from ha2 in $CUT_TO_PAGE s"

# 2. ha1 reaches it again: equal counts, ha2 gives the group back (auto_failback on).
t=$(date +%s.%N)
rig ping-restore ha1
wait_for 15 "2. ha1 serves hostname.html again after ping-restore" serves ha1
wait_for 5 "2. ha2 released everything" holds_nothing ha2
say "2. ping-restore ha1 -> group back on ha1 in $(secs_since "$t") s"

# 3. Both lose it: a tie, nothing moves.
rig ping-cut ha1
rig ping-cut ha2
wait_for 5 "3. ha1 counts 0 ping nodes" count_is ha1 LocalCount 0
wait_for 5 "3. ha2 counts 0 ping nodes" count_is ha2 LocalCount 0
# Nothing may move during the time a give-up would need (settle + give-up delay + a switch):
# watch for 5 s that ha1 keeps serving and ha2 holds nothing.
end=$(( $(date +%s) + 5 ))
while [ "$(date +%s)" -lt "$end" ]; do
  holds_nothing ha2 || fail "3. ha2 took something although both lost the ping node: $(rig holders)"
  holds_ip ha1 && holds_mount ha1 || fail "3. ha1 gave the group up on a tie: $(rig holders)"
  sleep 0.1
done
serves ha1 || fail "3. ha1 no longer serves"
say "3. both cut from the ping node: nothing moved in 5 s"
rig ping-restore ha1
rig ping-restore ha2
say "PASS: ipfail (ping-cut to first page from the other node: $CUT_TO_PAGE s)"
