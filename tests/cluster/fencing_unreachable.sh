#!/usr/bin/env bash
# A fence device that does not answer stops the takeover, not the cluster's safety. ha1 serves;
# its BMC is cut off the management network, then ha1 loses power. ha2 declares it dead and tries
# to fence it: the attempt fails (the BMC does not answer), so ha2 starts nothing, shows the group
# "fencing" and says why in its Warnings, and tries again every 5 s. Once the BMC answers again,
# the next attempt succeeds and ha2 takes the group over. Never two holders.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs

rig_up --fencing ipmi --hb manual
configure_fencing
start_sampler
in_node ha1 systemctl start hb.target || fail "hb.target did not start on ha1"
in_node ha2 systemctl start hb.target || fail "hb.target did not start on ha2"
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "ha2 is ha1's standby" sh -c "'$RIG' group ha2 | grep -q '^ha1 running'"

rig bmc-cut ha1
t=$(date +%s.%N)
rig poweroff ha1
wait_for 60 "ha2's first fence of ha1 failed" resourced_logged ha2 "fencing node ha1 failed"
say "power-off -> first failed fence: $(secs_since "$t") s"
[ "$("$RIG" group ha2)" = "ha1 fencing" ] || fail "ha2 shows the group as '$("$RIG" group ha2)', not 'ha1 fencing'"
holds_nothing ha2 || fail "ha2 took the group without fencing ha1"
warnings=$(in_node ha2 busctl get-property io.github.hbcluster.resource1 /io/github/hbcluster/resource1 \
  io.github.hbcluster.resource1.Manager Warnings)
case $warnings in *"ha1 is being fenced"*) ;; *) fail "ha2's Warnings do not say ha1 is being fenced: $warnings" ;; esac
say "ha2's Warnings: $(echo "$warnings" | grep -o 'ha1 is being fenced[^"]*' | head -1)"

rig bmc-restore ha1
t=$(date +%s.%N)
wait_for 60 "ha2 fenced ha1 once its BMC answered" resourced_logged ha2 "node ha1 fenced"
wait_for 10 "ha2 serves the site" page_names http://192.0.2.10/hostname.html ha2
say "BMC back -> first page from ha2: $(secs_since "$t") s"
n=$(in_node ha2 journalctl -q -u hb-resourced.service --grep "fencing node ha1 failed" | wc -l)
say "failed attempts before: $n"
stop_sampler || fail "two holders at once"
say "PASS: an unreachable fence device held the takeover back until ha1 could be fenced"
