#!/usr/bin/env bash
# Fencing through the shared disk alone (sbd's poison pill; no BMC is configured in ha.cf): the
# rig's second small shared disk, /dev/sdc, formatted by sbd's own tool (watchdog 2 s, msgwait
# 4 s), and `stonith_host * external/sbd sbd_device=/dev/sdc` in ha.cf, so cluster-glue's plugin
# writes pills with `sbd message` and hb-resourced reads its own mailbox.
#  1. Partition (both nodes alive, every heartbeat medium cut): ha1, which serves, writes ha2's
#     pill at once and waits msgwait; ha2 reads it within a second and leaves (its power goes
#     off). ha1 serves throughout. ha2, booted again, clears the pill that rebooted it (it had
#     obeyed it before the reboot), takes nothing while it cannot hear ha1, and is the standby
#     once the links are back.
#  2. A pill for the holder (an admin's `sbd message ha1 reset` on ha2): ha1 leaves within the
#     disk's loop; ha2 declares it dead, fences it through the disk in turn (msgwait) and serves.
# At every 20 ms sample at most one node holds the cluster IP or has /ha mounted.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs

rig_up --fencing ipmi --hb manual
in_node ha1 sbd -d "$MAILBOX_DEV" -1 2 -4 4 create >/dev/null || fail "sbd create failed"
for n in ha1 ha2; do
  in_node "$n" sh -c "echo 'stonith_host * external/sbd sbd_device=$MAILBOX_DEV timeout_bypass=yes' >> /etc/ha.d/ha.cf" ||
    fail "could not configure the fencing disk on $n"
  in_node "$n" systemctl enable --quiet hb.target
done
start_sampler
in_node ha1 systemctl start hb.target || fail "hb.target did not start on ha1"
in_node ha2 systemctl start hb.target || fail "hb.target did not start on ha2"
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "ha2 is ha1's standby" sh -c "'$RIG' group ha2 | grep -q '^ha1 running'"
slots() { in_node ha1 sbd -d "$MAILBOX_DEV" list | awk '{ print $2 }' | sort | tr '\n' ' '; }
both_slots() { [ "$(slots)" = "ha1 ha2 " ]; }
wait_for 5 "both nodes have a slot on the fencing disk" both_slots
# hb-resourced reads its slot from then on (a claim waits the disk's allocate time first).
wait_for 10 "ha1 reads its slot" resourced_logged ha1 "slot [0-9]* of the fencing disk"
wait_for 10 "ha2 reads its slot" resourced_logged ha2 "slot [0-9]* of the fencing disk"
resourced_logged ha1 "no fence device" && fail "ha1 says no fence device serves it"

say "--- 1. partition"
t=$(date +%s.%N)
rig cut ha1 udp
wait_for 10 "ha2 read its pill and left (power off)" powered_off ha2
say "partition -> ha2 off: $(secs_since "$t") s"
wait_for 10 "ha1's fence of ha2 succeeded (after msgwait)" resourced_logged ha1 "node ha2 fenced"
say "partition -> ha2 fenced (pill + msgwait): $(secs_since "$t") s"
page_names http://192.0.2.10/hostname.html ha1 || fail "ha1 no longer serves the site"
powered_on ha1 || fail "ha1 left too: exactly one node must survive"

rig boot ha2 >/dev/null || fail "ha2 did not power on"
wait_for 30 "ha2 booted and cleared the pill that rebooted it" resourced_logged ha2 "rebooted this node"
wait_for 10 "ha2 waits for ha1" resourced_logged ha2 "not heard since start"
sleep_past initdead 2
holds_nothing ha2 || fail "ha2 took the group although it never heard ha1 since its boot"
rig restore ha1 udp
wait_for 10 "ha2 is ha1's standby again" sh -c "'$RIG' group ha2 | grep -q '^ha1 running'"

say "--- 2. a pill for the holder"
t=$(date +%s.%N)
in_node ha2 sbd -d "$MAILBOX_DEV" message ha1 reset >/dev/null 2>&1 &
pill_pid=$!
wait_for 10 "ha1 read its pill and left (power off)" powered_off ha1
say "pill -> ha1 off: $(secs_since "$t") s"
wait "$pill_pid" || fail "sbd message failed"
wait_for 20 "ha2 serves the site" page_names http://192.0.2.10/hostname.html ha2
say "pill -> first page from ha2: $(secs_since "$t") s"
resourced_logged ha2 "node ha1 fenced" || fail "ha2 took over without fencing ha1"
stop_sampler || fail "two holders at once"
say "PASS: the fencing disk ended the partition with one node, and a pill made the holder leave"
