#!/usr/bin/env bash
# The seed's test procedure against real Apache through the cluster IP, from the client namespace:
#   1. start hb on ha1, then on ha2: only ha1 runs Apache, holds 192.0.2.10 and has /ha mounted;
#   2. index.html and hostname.html (naming ha1) are served;
#   3. stop hb on ha1: ha2 serves both pages (hostname.html naming ha2), ha1 holds nothing;
#   4. start hb on ha1: the group comes back to ha1 (auto_failback on), ha2 released everything.
# A sampler checks every 20 ms that no two nodes hold the IP or /ha at once.
# Fails (never skips) when hb-resourced does not run the group.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

rig_up --serial --hb manual
if ! in_node ha1 systemctl cat hb.target >/dev/null 2>&1; then
  fail "hb.target is not installed by this build: the seed procedure needs the hb daemons"
fi
start_sampler

# 1. ha1 first.
t=$(date +%s.%N)
rig hb-start ha1
if ! why=$(resourced_ready ha1); then fail "$why"; fi
wait_for 10 "1. ha1 took the group (IP, /ha, Apache) after hb start (initdead 2 s)" \
  sh -c "'$RIG' holders | grep -q '^ha1 up ip=yes mount=yes' && '$RIG' exec ha1 systemctl is-active --quiet apache2"
rig hb-start ha2
in_node ha2 systemctl is-active --quiet hb.target || fail "hb.target did not start on ha2"
# ha2 joins; give it the time a wrong takeover would need (initdead, above deadtime) before
# checking it took nothing.
sleep_past initdead 1
holds_nothing ha2 || fail "ha2 holds a resource after joining: $(rig holders)"
apache_inactive ha2 || fail "ha2 runs Apache after joining"
holds_ip ha1 && holds_mount ha1 && apache_active ha1 || fail "ha1 lost the group when ha2 joined: $(rig holders)"
say "1. only ha1 runs Apache, holds 192.0.2.10 and /ha ($(secs_since "$t") s)"

# 2. Both pages through the cluster IP.
get http://192.0.2.10/index.html | grep -q "High Availability Cluster ha.haw2.ibm.com" || fail "index.html not served via 192.0.2.10"
page_names http://192.0.2.10/hostname.html ha1 || fail "hostname.html does not name ha1: $(get http://192.0.2.10/hostname.html || true)"
say "2. index.html and hostname.html (naming ha1) served via 192.0.2.10"

# 3. Failover: stop hb on ha1.
t=$(date +%s.%N)
rig hb-stop ha1
wait_for 15 "3. ha2 serves hostname.html after hb stop on ha1" page_names http://192.0.2.10/hostname.html ha2
get http://192.0.2.10/index.html | grep -q "High Availability Cluster" || fail "index.html not served by ha2"
holds_nothing ha1 || fail "ha1 still holds a resource after hb stop: $(rig holders)"
apache_inactive ha1 || fail "Apache still runs on ha1 after hb stop"
apache_active ha2 || fail "Apache not active on ha2"
say "3. failover to ha2 in $(secs_since "$t") s"

# 4. Failback: start hb on ha1 again.
t=$(date +%s.%N)
rig hb-start ha1
wait_for 15 "4. ha1 serves hostname.html again after hb start (auto_failback on)" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "4. ha2 released everything" holds_nothing ha2
apache_inactive ha2 || fail "Apache still runs on ha2 after failback"
holds_ip ha1 && holds_mount ha1 && apache_active ha1 || fail "ha1 does not hold the whole group: $(rig holders)"
say "4. failback to ha1 in $(secs_since "$t") s"

# 5. heartbeat's ha-log (ha.cf's logfile), written from the journal by hb-log.service alone: on
#    ha2, how each daemon came up, the takeover and the release, in heartbeat's line format.
ha_log_has() { # NODE REGEX
  in_node "$1" grep -Eq "$2" /var/log/ha-log
}
stamp='\[[0-9]+\]: [0-9]{4}/[0-9]{2}/[0-9]{2}_[0-9]{2}:[0-9]{2}:[0-9]{2} info: '
for d in hb-linkd hb-membershipd hb-resourced; do
  wait_for 5 "5. ha2's ha-log tells $d started" ha_log_has ha2 "^$d$stamp$d .* started on node ha2"
done
wait_for 5 "5. ha2's ha-log tells the takeover and the release" \
  sh -c "'$RIG' exec ha2 grep -q 'acquired 192.0.2.10' /var/log/ha-log && '$RIG' exec ha2 grep -q 'released 192.0.2.10' /var/log/ha-log"
in_node ha2 grep -q 'acquired 192.0.2.10' /var/log/ha-debug || fail "ha2's ha-debug lacks the takeover"
[ "$(in_node ha2 systemctl is-active hb-log.service)" = active ] || fail "hb-log.service is not running on ha2"
say "5. ha2's /var/log/ha-log: each daemon's start, the takeover and the release, heartbeat's format ($(in_node ha2 wc -l </dev/null /var/log/ha-log | cut -d' ' -f1) lines)"
say "PASS: seed procedure"
