#!/usr/bin/env bash
# Fencing ends a partition with one holder. Both nodes alive, every heartbeat medium cut (UDP 694
# dropped on ha1; the client still reaches both), IPMI fence devices (a simulated BMC per node,
# cluster-glue's external/ipmi, the `stonith` line of ha.cf). Each node declares the other dead:
# ha1, which serves, fences ha2 at once; ha2, which serves nothing, waits race_delay, and is reset
# before its own fence begins. At every 20 ms sample at most one node holds the cluster IP or has
# /ha mounted; ha1 serves throughout; ha2 boots again and takes nothing while it cannot hear ha1
# (a peer not heard since start is not written off), and is the standby once the links are back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs

rig_up --fencing ipmi --hb manual
configure_fencing
for n in ha1 ha2; do in_node "$n" systemctl enable --quiet hb.target; done
start_sampler
# With fencing, a node takes nothing before it has heard its peer: the cluster starts together.
in_node ha1 systemctl start hb.target || fail "hb.target did not start on ha1"
in_node ha2 systemctl start hb.target || fail "hb.target did not start on ha2"
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "ha2 is ha1's standby" sh -c "'$RIG' group ha2 | grep -q '^ha1 running'"
resourced_logged ha1 "no fence device" && fail "ha1 says no fence device serves it"

t=$(date +%s.%N)
rig cut ha1 udp
wait_for 10 "ha1 fenced ha2 (its BMC cut the power)" resourced_logged ha1 "node ha2 fenced"
say "partition -> ha2 fenced: $(secs_since "$t") s"
resourced_logged ha1 "fencing node ha2" || fail "ha1 has no entry for the fence"
page_names http://192.0.2.10/hostname.html ha1 || fail "ha1 no longer serves the site"
# ha2's reset powered it on again: it boots, starts hb (enabled) and cannot hear ha1.
wait_for 20 "ha2 booted again after its reset" resourced_logged ha2 "not heard since start"
say "ha2 is back $(secs_since "$t") s after the partition began and waits for ha1"
sleep_past initdead 2
holds_nothing ha2 || fail "ha2 took the group although it never heard ha1 since its boot"
powered_on ha1 || fail "ha1 was fenced too: exactly one node must survive"
page_names http://192.0.2.10/hostname.html ha1 || fail "ha1 no longer serves the site"

rig restore ha1 udp
wait_for 10 "ha2 is ha1's standby again" sh -c "'$RIG' group ha2 | grep -q '^ha1 running'"
wait_for 2 "ha1 still serves the site" page_names http://192.0.2.10/hostname.html ha1
stop_sampler || fail "two holders at once"
say "PASS: the partition ended with ha2 fenced, ha1 serving throughout, never two holders"
