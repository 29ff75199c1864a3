#!/usr/bin/env bash
# At what flood rate does hb lose its first heartbeat? (issue 12: "on UDP alone, the flood rate at
# which the first heartbeat is lost"). Two nodes on the rig, heartbeats on bcast eth0 only (no
# serial cable to fall back on), keepalive 100 ms. A rogue host on the LAN (the ping-node
# namespace; tests/rig/rogue.cpp) replays a captured status of ha1 to the broadcast address at a
# given rate for SECONDS; every replay is refused by ha2's hb-linkd, but each costs a wake-up, a
# parse and a digest. For each step, as ha2 sees it: how many packets ha1 sent (the advance of
# ha1's sequence number, Peer.LastSeq) and how many of them ha2 accepted (Link.PacketsReceived;
# one medium, so no duplicates), the kernel's UDP
# receive-buffer drops in ha2 (/proc/net/snmp RcvbufErrors), late-heartbeat warnings and node
# deaths on ha2, and ha2's hb-linkd CPU. Steps go up until a heartbeat is lost or the rate one
# machine reaches is reached (several senders in parallel at the top).
#
#   bench/flood/flood_loss.sh BUILD_DIR [RATES...]    (root; default rates below; "max" = one
#                                                      sender unpaced, "max2"/"max4" = 2/4 of them)
set -euo pipefail
. "$(dirname "$0")/../../tests/cluster/lib.sh"
start_test "${1:-}"
shift || true
private_runs
ROGUE=$BUILD_DIR/tests/cluster/hb-rogue
[ -x "$ROGUE" ] || fail "no $ROGUE: build the tree first"
SECONDS_PER_STEP=${HB_FLOOD_SECONDS:-10}
RATES=("$@")
[ ${#RATES[@]} -gt 0 ] || RATES=(1000 5000 10000 20000 40000 max max2 max4)
WORK=$(mktemp -d /tmp/hb-flood.XXXXXX)
trap 'rc=$?; rm -rf "$WORK"; finish $rc' EXIT

rogue() { rig pingnode "$ROGUE" "$@"; }
last_seq() { # of ha1, on ha2
  in_node ha2 busctl --json=short get-property io.github.hbcluster.link1 \
    /io/github/hbcluster/link1/peer/ha1 io.github.hbcluster.link1.Peer LastSeq |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["data"])'
}
link_prop() { # NODE PEER PROPERTY: of the eth0 link to PEER
  in_node "$1" busctl --json=short call io.github.hbcluster.link1 /io/github/hbcluster/link1 \
    org.freedesktop.DBus.ObjectManager GetManagedObjects | python3 -c '
import json, sys
objs = json.load(sys.stdin)["data"][0]
for ifs in objs.values():
    l = ifs.get("io.github.hbcluster.link1.Link")
    if l and l["Node"]["data"] == sys.argv[1] and l["Medium"]["data"] == "eth0":
        print(l[sys.argv[2]]["data"])' "$2" "$3"
}
rcvbuf_errors() { in_node ha2 awk '/^Udp:/ { n++; if (n == 2) print $6 }' /proc/net/snmp; }
late_count() { in_node ha2 journalctl -q -u hb-linkd -o cat | grep -c 'no heartbeat from ha1' || true; }
deaths() { in_node ha2 journalctl -q -u hb-membershipd -o cat | grep -c ': is dead' || true; }

rig_up --auth sha1
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
rogue capture --seconds 2 --out "$WORK/cap" >/dev/null
status=$(ls "$WORK/cap"/*-ha1-status.pkt | tail -1)
pid=$(in_node ha2 systemctl show -P MainPID hb-linkd.service)
hz=$(getconf CLK_TCK)
cpu() { in_node ha2 cat "/proc/$pid/stat" | awk '{ print $14 + $15 }'; }

say "keepalive $(timing_secs keepalive) s, deadtime $(timing_secs deadtime) s, $SECONDS_PER_STEP s a step, UDP (bcast eth0) only"
printf '%-8s %10s %6s %6s %6s %8s %5s %5s %6s\n' asked sent/s hb-out hb-in lost rcvbuf late dead cpu
for rate in "${RATES[@]}"; do
  s0=$(last_seq) r0=$(link_prop ha2 ha1 PacketsReceived)
  b0=$(rcvbuf_errors) l0=$(late_count) d0=$(deaths) c0=$(cpu) t0=$(date +%s.%N)
  senders=1 pace=(--rate "$rate")
  case $rate in
    max) pace=() ;;
    max2) pace=() senders=2 ;;
    max4) pace=() senders=4 ;;
  esac
  pids=()
  for k in $(seq 1 $senders); do
    rogue send --to 192.0.2.255 --kind replay --from "$status" --count 10000000 \
      --seconds "$SECONDS_PER_STEP" "${pace[@]}" >"$WORK/send-$k.log" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  sleep 0.3  # the last heartbeats in flight land
  s1=$(last_seq) r1=$(link_prop ha2 ha1 PacketsReceived)
  b1=$(rcvbuf_errors) l1=$(late_count) d1=$(deaths) c1=$(cpu) t1=$(date +%s.%N)
  sent_rate=$(cat "$WORK"/send-*.log | awk '{ s += $2; t = $4 } END { printf "%.0f", s / t }')
  out=$((s1 - s0)) in=$((r1 - r0))
  # The two reads are not one instant: a packet landing between them is not a loss.
  lost=$((out - in)); [ "$lost" -le 1 ] && lost=0
  printf '%-8s %10s %6s %6s %6s %8s %5s %5s %5.0f%%\n' "$rate" "$sent_rate" "$out" "$in" "$lost" \
    $((b1 - b0)) $((l1 - l0)) $((d1 - d0)) \
    "$(awk -v a="$c0" -v b="$c1" -v hz="$hz" -v t0="$t0" -v t1="$t1" 'BEGIN { print 100 * (b - a) / hz / (t1 - t0) }')"
  if [ "$lost" -gt 0 ] || [ $((d1 - d0)) -gt 0 ]; then
    say "first heartbeat lost at $rate (sent $sent_rate/s)"
    break
  fi
done
say "done"
