#!/usr/bin/env bash
# No silent half-started node. On the standby (ha2), while ha1 serves the site:
#  1. hb-linkd's, then hb-membershipd's, then hb-resourced's first start fails once (a drop-in
#     whose ExecStartPre= fails the first time): `systemctl start hb.target` still succeeds once
#     systemd restarted the daemon, every daemon runs, ha2 says it can take over, and a power-off
#     of ha1 is taken over as usual;
#  2. hb-linkd, hb-membershipd and hb-resourced are started by hand, one at a time, in each of
#     their 6 orders: until the last one runs ha2 says it cannot take over, after it ha2 can, and
#     a power-off of ha1 is taken over;
#  3. hb-membershipd is masked: `systemctl start hb.target` fails on ha2, `hbctl status` on ha2
#     says it cannot take over and on ha1 that ha2 cannot (the cluster has no working standby);
#  4. hb-membershipd crashes on ha2 and keeps failing to start: systemd gives up after its start
#     limit, the journal has the catalogued entry, and both nodes say ha2 cannot take over; a
#     missing ha.cf fails a start with the assertion, not a silently skipped unit.
# Each case boots its own rig (hb started by hand), with the 20 ms sampler: never two holders.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs
DEADTIME=1
MARGIN=${HB_CLUSTER_MARGIN:-1.5}
DAEMONS="hb-linkd hb-membershipd hb-resourced"

# One rig per case: ha1 runs hb and serves the site; hb is stopped on ha2.
case_begin() { # WHAT
  say "--- $1"
  rig_up --hb manual
  if ! in_node ha1 systemctl cat hb-ready.service >/dev/null 2>&1; then
    fail "this build installs no hb-ready.service (units that say when a node cannot take over)"
  fi
  start_sampler
  in_node ha1 systemctl start hb.target || fail "hb.target did not start on ha1"
  wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
}

case_end() {
  stop_sampler || fail "two holders at once"
  HB_RIG=$RUN "$RIG" down >/dev/null
  "$RIG" check-clean "$RUN" || fail "rig run $RUN left something behind"
  RUN=""
}

# `hbctl status` on NODE (it exits 3 while hb-membershipd is not running; the text is what counts).
status_of() { in_node "$1" hbctl status 2>/dev/null || true; } # NODE
# The hbctl status verdict on NODE: "can" or "cannot".
takeover_verdict() { # NODE
  local out
  out=$(status_of "$1")
  case $out in
    *"This node can take over"*) echo can ;;
    *"This node CANNOT take over"*) echo cannot ;;
    *) echo "unknown: $out" ;;
  esac
}
verdict_is() { [ "$(takeover_verdict "$1")" = "$2" ]; } # NODE can|cannot
# ha1's hb-resourced warns that ha2 cannot take over (what ha2 told it).
peer_warned() { status_of ha1 | grep -q "peer-cannot-take-over: ha2 cannot take over"; }
no_peer_warning() { ! status_of ha1 | grep -q "peer-cannot-take-over"; }
all_active() { in_node ha2 systemctl is-active --quiet $DAEMONS; }

# ha1 loses power: ha2 must serve within deadtime plus the usual takeover.
poweroff_takeover() {
  local t limit
  t=$(date +%s.%N)
  rig poweroff ha1
  limit=$(awk -v d=$DEADTIME -v m="$MARGIN" 'BEGIN { print d + m }')
  wait_for "$limit" "ha2 serves after ha1's power loss" page_names http://192.0.2.10/hostname.html ha2
  say "power-off -> first page from ha2: $(secs_since "$t") s"
}

# 1. A failed first start of each daemon.
for daemon in $DAEMONS; do
  case_begin "$daemon's first start fails once on ha2"
  in_node ha2 sh -c "mkdir -p /run/systemd/system/$daemon.service.d &&
    printf '[Service]\nExecStartPre=+/bin/sh -c \"test -e /run/hb-test-failed-once || { touch /run/hb-test-failed-once; echo failing this start once, on purpose; exit 1; }\"\n' \
      > /run/systemd/system/$daemon.service.d/fail-once.conf && systemctl daemon-reload"
  t=$(date +%s.%N)
  in_node ha2 systemctl start hb.target ||
    fail "hb.target's start failed on ha2 although systemd restarted $daemon"
  say "systemctl start hb.target on ha2 returned after $(secs_since "$t") s"
  all_active || fail "not every hb daemon runs on ha2 after $daemon's failed first start"
  restarts=$(in_node ha2 systemctl show -P NRestarts "$daemon.service")
  [ "$restarts" -ge 1 ] || fail "$daemon did not fail its first start (NRestarts=$restarts): the drop-in did not bite"
  wait_for 3 "ha2 says it can take over" verdict_is ha2 can
  wait_for 3 "ha1 has no warning about ha2" no_peer_warning
  poweroff_takeover
  say "$daemon failed its first start once: every daemon runs, ha2 took over"
  case_end
done

# 2. Each start order by hand.
for order in "hb-linkd hb-membershipd hb-resourced" "hb-linkd hb-resourced hb-membershipd" \
  "hb-membershipd hb-linkd hb-resourced" "hb-membershipd hb-resourced hb-linkd" \
  "hb-resourced hb-linkd hb-membershipd" "hb-resourced hb-membershipd hb-linkd"; do
  case_begin "started by hand on ha2: $order"
  started=0
  for daemon in $order; do
    # Only this daemon, not what it Wants: the order is the admin's.
    in_node ha2 systemctl start --job-mode=ignore-requirements "$daemon.service" ||
      fail "$daemon did not start on ha2 (order: $order)"
    started=$((started + 1))
    if [ $started -lt 3 ]; then
      verdict_is ha2 cannot || fail "ha2 does not say it cannot take over with only part of hb running (after $daemon)"
    fi
  done
  all_active || fail "not every hb daemon runs on ha2 (order: $order)"
  wait_for 3 "ha2 says it can take over once all three run" verdict_is ha2 can
  wait_for 3 "ha1 has no warning about ha2" no_peer_warning
  poweroff_takeover
  say "order $order: converged, ha2 took over"
  case_end
done

# 3. hb-membershipd masked on the standby.
case_begin "hb-membershipd masked on ha2"
in_node ha2 systemctl mask --runtime hb-membershipd.service >/dev/null
if in_node ha2 systemctl start hb.target; then
  fail "hb.target started on ha2 although hb-membershipd is masked"
fi
in_node ha2 journalctl -q -u hb-ready.service | grep -q "hb-membershipd.service: it is masked" ||
  fail "hb-ready.service does not say why hb.target failed"
wait_for 3 "ha2 says it cannot take over" verdict_is ha2 cannot
status_of ha2 | grep -q "no-membership" || fail "ha2's status does not name the missing hb-membershipd"
wait_for 3 "ha1 says ha2 cannot take over" peer_warned
status_of ha1 | grep -q "no-standby: .*no working standby" ||
  fail "ha1's status does not say that the cluster has no working standby"
in_node ha1 journalctl -q MESSAGE_ID=a522eae01ec549e3aad2b8f47940abaf | grep -q "ha2 cannot take over" ||
  fail "ha1's journal has no catalogued entry for ha2's inability"
say "ha1's status: $(status_of ha1 | grep -E 'peer-cannot|no-standby' | tr '\n' ' ')"
case_end

# 4. A daemon systemd gives up on, and a missing ha.cf.
case_begin "hb-membershipd keeps failing on ha2"
in_node ha2 systemctl start hb.target || fail "hb.target did not start on ha2"
wait_for 3 "ha2 says it can take over" verdict_is ha2 can
in_node ha2 sh -c "mkdir -p /run/systemd/system/hb-membershipd.service.d &&
  printf '[Service]\nExecStartPre=+/bin/false\n' > /run/systemd/system/hb-membershipd.service.d/broken.conf &&
  systemctl daemon-reload"
t=$(date +%s.%N)
rig kill-daemon ha2 hb-membershipd
gave_up() { [ "$(in_node ha2 systemctl show -P ActiveState hb-membershipd.service)" = failed ]; }
wait_for 20 "systemd gave up on hb-membershipd on ha2" gave_up
say "crash -> given up after $(in_node ha2 systemctl show -P NRestarts hb-membershipd.service) restarts in $(secs_since "$t") s"
logged_gave_up() {
  in_node ha2 journalctl -q MESSAGE_ID=1a827b8834154084b1e569f80b4e27be HB_UNIT=hb-membershipd.service |
    grep -q "systemd will not restart it"
}
wait_for 5 "ha2's journal has the catalogued 'gave up' entry" logged_gave_up
wait_for 3 "ha2 says it cannot take over" verdict_is ha2 cannot
wait_for 3 "ha1 says ha2 cannot take over" peer_warned
in_node ha2 sh -c "mv /etc/ha.d/ha.cf /etc/ha.d/ha.cf.moved"
if in_node ha2 systemctl restart hb-linkd.service 2>/dev/null; then
  fail "hb-linkd started on ha2 without /etc/ha.d/ha.cf"
fi
in_node ha2 journalctl -q -u hb-linkd.service | grep -q "Assertion failed" ||
  fail "no assertion names the missing ha.cf in hb-linkd's journal"
say "without ha.cf, hb-linkd's start fails with: $(in_node ha2 journalctl -q -u hb-linkd.service | grep 'Assertion failed' | tail -1 | sed 's/.*systemd\[1\]: //')"
case_end

say "PASS: every half-started standby converged or said it cannot take over"
