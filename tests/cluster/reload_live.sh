#!/usr/bin/env bash
# `hbctl reload` on a serving pair changes what reloads live without a hand-over or a failed
# request (a client GETs the site every 20 ms throughout, a sampler checks that the IP and /ha
# are never held twice):
#   1. a broken ha.cf is refused with file:line and exit 65, and nothing changes;
#   2. deadtime 1 s -> 1.5 s on both nodes: in force in every daemon (hbctl status, "In force");
#   3. heartbeat's key rotation on both nodes, in either order: a second key line added (ha1
#      first), then `auth 2` (ha2 first), then the first line removed; no link dies at any step,
#      and each node ends signing with key 2 and accepting only key 2;
#   4. warntime changed through `systemctl reload hb.target` (each daemon's ExecReload=);
#   5. the serial medium added and the ping node removed, on both nodes: the serial links come
#      up, the ping node is gone from the node list;
#   6. haresources differing on ha2, which holds no group: in force there at once, and both
#      nodes warn (config-differs);
#   7. the same change on ha1, which holds the group: pending (hbctl status), no hand-over; put
#      back on both, nothing is pending and the warning goes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

rig_up --serial --hb manual
# ha.cf without the serial medium: step 5 tries to add it.
for node in ha1 ha2; do in_node "$node" sed -i '/^baud /d; /^serial /d' /etc/ha.d/ha.cf; done
rig hb-start ha1
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
rig hb-start ha2
wait_for 10 "ha1 sees ha2 up" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"
start_sampler
start_poller

edit() { in_node "$1" sh -c "$2"; } # NODE SHELL-COMMAND (run in the node)
reload_on() {                        # NODE: hbctl reload, which must apply
  local out
  out=$(in_node "$1" hbctl reload 2>&1) || fail "hbctl reload on $1 failed: $out"
}
status_of() { in_node "$1" hbctl status 2>&1; } # NODE
in_force() { status_of "$1" | grep 'In force:'; } # NODE
# Where each node's journal ends now. A cursor, not a --since time: --since
# counts whole seconds, and ha1, started alone, logs ha2's link dead when
# initdead runs out, sometimes within the second step 2 begins in.
declare -A journal_end
mark_journals() {
  local node
  for node in ha1 ha2; do
    journal_end[$node]=$(in_node "$node" journalctl -q -n 0 --show-cursor | sed -n 's/^-- cursor: //p')
    [ -n "${journal_end[$node]}" ] || fail "no journal cursor on $node"
  done
}
no_link_died_since_mark() { # neither node logged a dead link since mark_journals
  local node died
  for node in ha1 ha2; do
    died=$(in_node "$node" journalctl -q -u hb-linkd --after-cursor "${journal_end[$node]}" --grep ' dead\.' 2>/dev/null | tail -2 || true)
    [ -z "$died" ] || fail "a link died on $node: $died"
  done
}

# 1. A broken ha.cf is refused and nothing changes.
before=$(in_force ha1)
edit ha1 'cp /etc/ha.d/ha.cf /root/ha.cf.good && echo "deadtime banana" >> /etc/ha.d/ha.cf'
code=0
out=$(in_node ha1 hbctl reload 2>&1) || code=$?
[ "$code" = 65 ] || fail "hbctl reload of a broken ha.cf exited $code, not 65: $out"
error=$(echo "$out" | grep '^/etc/ha.d/ha.cf:[0-9]*: ' | grep -v ': warning: ' | head -1)
[ -n "$error" ] || fail "the refusal does not say file:line: $out"
edit ha1 'cp /root/ha.cf.good /etc/ha.d/ha.cf'
[ "$(in_force ha1)" = "$before" ] || fail "the refused reload changed what is in force: $(in_force ha1)"
say "1. broken ha.cf refused (exit 65): $error"
say "   $before"

# 2. deadtime 1 s -> 1.5 s on both nodes (initdead, 2 s, stays above it).
mark_journals
for node in ha2 ha1; do
  edit "$node" 'sed -i "s/^deadtime .*/deadtime 1500ms/" /etc/ha.d/ha.cf'
  reload_on "$node"
done
for node in ha1 ha2; do
  in_force "$node" | grep -Eq 'deadtime 1(\.5 s|500 ?ms)' || fail "$node: deadtime 1.5 s is not in force: $(in_force "$node")"
done
say "2. deadtime 1.5 s in force on both nodes: $(in_force ha1)"

# 3. Key rotation, heartbeat's way, the nodes in either order.
key2=$(head -c 24 /dev/urandom | sha1sum | cut -c1-32)
for node in ha1 ha2; do edit "$node" "echo '2 sha1 $key2' >> /etc/ha.d/authkeys"; reload_on "$node"; done
for node in ha2 ha1; do edit "$node" 'sed -i "s/^auth .*/auth 2/" /etc/ha.d/authkeys'; reload_on "$node"; done
for node in ha1 ha2; do edit "$node" 'sed -i "/^1 /d" /etc/ha.d/authkeys'; reload_on "$node"; done
no_link_died_since_mark
for node in ha1 ha2; do
  in_force "$node" | grep -q 'signing with key 2 (accepting 2)' || fail "$node does not sign with key 2 alone: $(in_force "$node")"
done
in_node ha1 cl_status nodestatus ha2 | grep -qx active || fail "ha1 lost ha2 over the key rotation"
say "3. key rotated (line 2 added, auth 2, line 1 removed) on both nodes: no link died"

# 4. warntime through systemd: systemctl reload hb.target runs each daemon's ExecReload=.
for node in ha2 ha1; do
  edit "$node" 'sed -i "s/^warntime .*/warntime 700ms/" /etc/ha.d/ha.cf'
  in_node "$node" systemctl reload hb.target || fail "systemctl reload hb.target failed on $node"
done
for node in ha1 ha2; do
  in_force "$node" | grep -Eq 'warntime (0\.7 s|700 ?ms)' || fail "$node: warntime 700 ms is not in force: $(in_force "$node")"
done
say "4. warntime 700 ms in force on both nodes through systemctl reload hb.target"

# 5. The serial medium added and the ping node removed, live, one node after the other.
links_of() { status_of "$1" | awk -v p="$2" '$1 == p'; } # NODE PEER: the peer's row in hbctl status
before=$(in_force ha1)
for node in ha1 ha2; do
  edit "$node" 'sed -i "s/^bcast eth0$/bcast eth0\nbaud 19200\nserial \/dev\/ttyS0/" /etc/ha.d/ha.cf'
  reload_on "$node"
done
wait_for 10 "ha1's serial link to ha2 is up" sh -c "'$RIG' exec ha1 hbctl status 2>&1 | awk '\$1 == \"ha2\"' | grep -q 'ttyS0 up'"
wait_for 10 "ha2's serial link to ha1 is up" sh -c "'$RIG' exec ha2 hbctl status 2>&1 | awk '\$1 == \"ha1\"' | grep -q 'ttyS0 up'"
say "   ha1 sees ha2 on: $(links_of ha1 ha2 | sed 's/.*ago *//')"
for node in ha1 ha2; do
  edit "$node" 'sed -i "/^ping /d" /etc/ha.d/ha.cf'
  reload_on "$node"
done
for node in ha1 ha2; do
  wait_for 10 "$node no longer lists the ping node" sh -c "! '$RIG' exec $node cl_status listnodes | grep -qx 192.0.2.1"
done
# The digest changes with the ping nodes; the timings and the keys do not.
now=$(in_force ha1)
[ "${now%%; configuration digest*}" = "${before%%; configuration digest*}" ] ||
  fail "the timings or keys changed on ha1: $now"
say "5. the serial medium added and the ping node removed on both nodes, live"

# 6. haresources differing on ha2: ha2 holds no group, so hb-resourced puts it in force at once
#    (it starts again); both nodes warn (config-differs).
edit ha2 'cp /etc/ha.d/haresources /root/haresources.good && sed -i "s/ httpd$/ apache2.service/" /etc/ha.d/haresources'
reload_on ha2
for node in ha1 ha2; do
  wait_for 10 "$node warns that the configurations differ" sh -c "'$RIG' exec $node hbctl status 2>&1 | grep -q config-differs"
done
! status_of ha2 | grep -q '^Pending:' || fail "ha2 holds no group, yet its haresources is pending"
wait_for 10 "ha2's hb-resourced runs the new haresources (resource apache2.service)" sh -c "'$RIG' exec ha2 hbctl status 2>&1 | grep -q 'apache2.service (apache2.service:'"
say "6. differing haresources: in force on ha2 at once, config-differs on both nodes"

# 7. The same haresources on ha1, which holds the group: pending until the next hand-over,
#    shown by hbctl status; put back on both, nothing is pending or differs any more.
edit ha1 'cp /etc/ha.d/haresources /root/haresources.good && sed -i "s/ httpd$/ apache2.service/" /etc/ha.d/haresources'
reload_on ha1
status_of ha1 | grep -q '^Pending: haresources' || fail "ha1 does not show haresources pending: $(status_of ha1)"
say "   ha1: $(status_of ha1 | grep '^Pending:')"
for node in ha1 ha2; do
  wait_for 10 "$node's config-differs warning is gone" sh -c "! '$RIG' exec $node hbctl status 2>&1 | grep -q config-differs"
done
for node in ha2 ha1; do
  edit "$node" 'cp /root/haresources.good /etc/ha.d/haresources'
  reload_on "$node"
done
! status_of ha1 | grep -q '^Pending:' || fail "ha1 still shows a pending reload after the file was put back"
for node in ha1 ha2; do
  wait_for 10 "$node's config-differs warning is gone" sh -c "! '$RIG' exec $node hbctl status 2>&1 | grep -q config-differs"
done
in_node ha1 cl_status nodestatus ha2 | grep -qx active || fail "ha1 lost ha2"
say "7. haresources on the holder: pending (shown), withdrawn when put back; nothing handed over"

stop_poller
failed=$(poll_count -)
by_ha2=$(poll_count ha2)
say "client: $(poll_total) requests over the reloads, $failed failed, $by_ha2 answered by ha2"
[ "$failed" = 0 ] || fail "$failed requests failed during the reloads"
[ "$by_ha2" = 0 ] || fail "ha2 answered $by_ha2 requests: a reload handed the site over"
say "PASS: reload live"
