#!/usr/bin/env bash
# The watchdog and a hung daemon on the holder, with IPMI fencing. ha1 serves; its ha.cf names a
# watchdog (`watchdog /run/hb-test-watchdog/fifo`), here tests/tools/hb-test-watchdog, which
# behaves as a device does and, when it fires, resets the node the way a real one would
# (`systemctl reboot --force --force` inside the node: the container ends, its power is off).
# It runs as a unit started before hb-linkd at every boot of ha1; its timeout is hb's default,
# twice deadtime (2 s).
#  1. hb-resourced hangs on ha1 (SIGSTOP): hb-linkd stops feeding the watchdog, which fires
#     (ha1 off); ha2 declares ha1 dead and fences it (its BMC's reset boots it again); the site
#     is served again, by ha2 or by ha1 back first (its preferred node).
#  2. hb-linkd hangs on ha1, the holder again: its heartbeats stop; ha2 declares it dead after
#     deadtime and fences it; ha1's watchdog fires too (nothing feeds it), whichever comes
#     first; the site is served again.
# At every 20 ms sample at most one node holds the cluster IP or has /ha mounted.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs

rig_up --fencing ipmi --hb manual
configure_fencing
in_node ha1 sh -c 'cat > /usr/local/sbin/hb-test-watchdog && chmod 755 /usr/local/sbin/hb-test-watchdog' \
  <"$SRC_DIR/tests/tools/hb-test-watchdog" || fail "could not install the test watchdog on ha1"
in_node ha1 sh -c 'cat > /etc/systemd/system/hb-test-watchdog.service <<"EOS"
[Unit]
Description=a watchdog device made of a FIFO (tests/tools/hb-test-watchdog)
Before=hb-linkd.service
[Service]
ExecStartPre=/bin/mkdir -p /run/hb-test-watchdog
ExecStart=/usr/local/sbin/hb-test-watchdog --fifo /run/hb-test-watchdog/fifo --timeout 2 --record /var/log/hb-test-watchdog.log --on-fire "systemctl reboot --force --force"
[Install]
WantedBy=hb.target
EOS
systemctl enable --quiet hb-test-watchdog.service && echo "watchdog /run/hb-test-watchdog/fifo" >> /etc/ha.d/ha.cf' ||
  fail "could not set up the test watchdog on ha1"
for n in ha1 ha2; do in_node "$n" systemctl enable --quiet hb.target; done
start_sampler
in_node ha1 systemctl start hb.target || fail "hb.target did not start on ha1"
in_node ha2 systemctl start hb.target || fail "hb.target did not start on ha2"
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "ha2 is ha1's standby" sh -c "'$RIG' group ha2 | grep -q '^ha1 running'"
watchdog_state() { in_node ha1 busctl get-property io.github.hbcluster.link1 /io/github/hbcluster/link1 io.github.hbcluster.link1.Manager Watchdog; }
armed() { [ "$(watchdog_state)" = 's "armed"' ]; }
wait_for 5 "ha1's watchdog is armed" armed
fired_count() { in_node ha1 cat /var/log/hb-test-watchdog.log 2>/dev/null | grep -c ' fired' || true; }

say "--- 1. hb-resourced hangs on the holder"
t=$(date +%s.%N)
in_node ha1 systemctl kill --signal=SIGSTOP hb-resourced.service
wait_for 10 "ha1's watchdog fired (ha1 off)" powered_off ha1
say "hang -> ha1 off (watchdog): $(secs_since "$t") s"
serves_any() { page_names http://192.0.2.10/hostname.html ha1 || page_names http://192.0.2.10/hostname.html ha2; }
wait_for 30 "the site is served again" serves_any
say "hang -> first page again: $(secs_since "$t") s"
wait_for 30 "ha2 fenced ha1" resourced_logged ha2 "node ha1 fenced"
wait_for 30 "ha1 booted again after its reset" powered_on ha1
[ "$(fired_count)" = 1 ] || fail "the test watchdog of ha1 did not record one firing: $(in_node ha1 cat /var/log/hb-test-watchdog.log)"

wait_for 30 "ha1 serves the site again (auto_failback)" page_names http://192.0.2.10/hostname.html ha1
wait_for 10 "ha2 is ha1's standby" sh -c "'$RIG' group ha2 | grep -q '^ha1 running'"
wait_for 10 "ha1's watchdog is armed again" armed

say "--- 2. hb-linkd hangs on the holder"
fences=$( (in_node ha2 journalctl -q -u hb-resourced.service --grep "node ha1 fenced" || true) | wc -l)
t=$(date +%s.%N)
in_node ha1 systemctl kill --signal=SIGSTOP hb-linkd.service
wait_for 10 "ha1 is off (its watchdog or ha2's fence)" powered_off ha1
say "hang -> ha1 off: $(secs_since "$t") s"
fenced_again() { [ "$( (in_node ha2 journalctl -q -u hb-resourced.service --grep "node ha1 fenced" || true) | wc -l)" -gt "$fences" ]; }
wait_for 30 "ha2 fenced ha1" fenced_again
wait_for 30 "the site is served again" serves_any
say "hang -> first page again: $(secs_since "$t") s"
stop_sampler || fail "two holders at once"
say "PASS: a hung hb-resourced or hb-linkd on the holder ended in a reset and a fence, never two holders"
