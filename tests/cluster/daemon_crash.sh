#!/usr/bin/env bash
# A crash of hb-linkd (then of hb-membershipd) on the active node: systemd restarts it well within
# deadtime, the group stays where it is (no failover, never two holders of the IP or /ha), and
# ha2 still knows ha1 runs it (ha1 answers its hb_ask). A crash of hb-resourced on the active node:
# systemd restarts it and it adopts the running group (Apache keeps its process). The cluster
# still works afterwards: a hard power-off of the active node is still taken over.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

serving_cluster "crash scenario"

active_since() { in_node ha1 systemctl show -P ActiveEnterTimestampMonotonic "$1"; }
for daemon in hb-linkd hb-membershipd; do
  before=$(active_since $daemon.service)
  rig kill-daemon ha1 $daemon
  wait_for 5 "systemd restarted $daemon on ha1" \
    sh -c "[ \"\$($RIG exec ha1 systemctl show -P ActiveEnterTimestampMonotonic $daemon.service)\" != $before ] &&
           $RIG exec ha1 systemctl is-active --quiet $daemon.service"
  # Twice deadtime (past the grace too): a failover, if any, would have happened by now.
  sleep_past deadtime 2
  holds_ip ha1 && holds_mount ha1 || fail "ha1 lost the group after a crash of its $daemon"
  holds_nothing ha2 || fail "ha2 took resources after a crash of ha1's $daemon"
  page_names http://192.0.2.10/hostname.html ha1 || fail "the site is not served by ha1 after the $daemon crash"
  # ha1 came back with a new generation: ha2 forgot what ha1 holds and must have asked again.
  wait_for 3 "ha2 knows ha1 runs the group after ha1's $daemon restart" \
    sh -c "[ \"\$($RIG group ha2)\" = 'ha1 running' ]"
  say "$daemon killed on ha1 and restarted: the group stayed on ha1"
done

apache=$(in_node ha1 systemctl show -P MainPID apache2.service)
before=$(active_since hb-resourced.service)
rig kill-daemon ha1 hb-resourced
wait_for 5 "systemd restarted hb-resourced on ha1" \
  sh -c "[ \"\$($RIG exec ha1 systemctl show -P ActiveEnterTimestampMonotonic hb-resourced.service)\" != $before ] &&
         [ \"\$($RIG group ha1)\" = 'ha1 running' ]"
in_node ha1 journalctl -q -u hb-resourced.service --grep "adopting group 192.0.2.10" >/dev/null ||
  fail "the restarted hb-resourced did not adopt the running group"
[ "$(in_node ha1 systemctl show -P MainPID apache2.service)" = "$apache" ] ||
  fail "Apache was restarted: the group was bounced instead of adopted"
sleep_past deadtime 1.5
holds_ip ha1 && holds_mount ha1 || fail "ha1 lost the group after a crash of its hb-resourced"
holds_nothing ha2 || fail "ha2 took resources after a crash of ha1's hb-resourced"
page_names http://192.0.2.10/hostname.html ha1 || fail "the site is not served by ha1 after the hb-resourced crash"
say "hb-resourced killed on ha1 and restarted: it adopted the group (Apache pid $apache kept)"

t=$(date +%s.%N)
rig poweroff ha1
wait_for 3 "ha2 serves after ha1's power loss, following the crashes" page_names http://192.0.2.10/hostname.html ha2
say "power-off -> first page from ha2: $(secs_since "$t") s"
say "PASS: daemon crashes on the active node move nothing"
