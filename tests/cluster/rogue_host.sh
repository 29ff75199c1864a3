#!/usr/bin/env bash
# A rogue host on the cluster LAN (the rig's ping-node namespace, 192.0.2.1, unused here: no
# ipfail; the client namespace stays a client, whose requests a flood from itself would drown),
# running tests/rig/rogue.cpp:
# it knows hb's wire format but not the cluster key), with the serial cable up too. It records
# what it hears (both nodes' status packets, and ha1's t=shutdone while ha1 restarts hb), then
# sends garbage, truncated and oversized datagrams, captured packets replayed, captured messages
# re-signed with its own key and changed fields (generation, seq and dt out of bounds,
# NS_rexmit asking for everything), the old t=shutdone of ha1 after ha1 restarted, and a 30 s
# flood at the rate one sender reaches, during which ha1 loses power. Run with --auth sha1 (every
# forged or replayed packet must be refused) and --auth crc (anyone can sign: the out-of-bound
# values must be refused, and the weak-key warning shows; a forgery with plausible values cannot
# be told from the real thing, docs/wire-rules.md).
# What a user would see: no false death, no takeover, no page served by ha2 (never two holders),
# the drops counted by reason; and the power-off during the flood taken over within deadtime
# plus the usual takeover.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs
ROGUE=$BUILD_DIR/tests/cluster/hb-rogue
[ -x "$ROGUE" ] || fail "no $ROGUE: build the tree first"
FLOOD_SECONDS=${HB_ROGUE_FLOOD_SECONDS:-30}
# Under the flood both cores are busy (the sender, two real-time hb-linkd, the bridge, this
# test's own pollers): the page may take longer than the takeover itself, which is reported from
# ha2's journal (death declared, group started) as well.
FLOOD_MARGIN=${HB_ROGUE_FLOOD_MARGIN:-4}
BCAST=192.0.2.255
WORK=$(mktemp -d /tmp/hb-rogue.XXXXXX)
trap 'rc=$?; rm -rf "$WORK"; finish $rc' EXIT

rogue() { rig pingnode "$ROGUE" "$@"; }
deaths() { # NODE: how many node deaths its hb-membershipd has logged
  in_node "$1" journalctl -q -u hb-membershipd.service -o cat | grep -c ': is dead' || true
}
# Drops by reason on NODE's hb-linkd, summed over its links: "reason=count ...".
drops() {
  in_node "$1" busctl --json=short call io.github.hbcluster.link1 /io/github/hbcluster/link1 \
    org.freedesktop.DBus.ObjectManager GetManagedObjects | python3 -c '
import json, sys
objs = json.load(sys.stdin)["data"][0]
total = {}
for ifs in objs.values():
    link = ifs.get("io.github.hbcluster.link1.Link")
    if not link or "Rejected" not in link:
        continue
    for reason, n in link["Rejected"]["data"].items():
        total[reason] = total.get(reason, 0) + n
print(" ".join(f"{k}={v}" for k, v in sorted(total.items())) or "none")'
}
cpu_ticks() { # NODE PID: utime + stime of a process in the node, in clock ticks
  in_node "$1" cat "/proc/$2/stat" | awk '{ print $14 + $15 }'
}

run_with() { # AUTH
  local auth=$1 cap status shutdone t before1 before2 pid0 t0 c0 c1 rate
  say "=== --auth $auth"
  rig_up --serial --auth "$auth"
  start_sampler
  wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
  if [ "$auth" = crc ]; then
    in_node ha1 busctl --json=short get-property io.github.hbcluster.link1 /io/github/hbcluster/link1 \
      io.github.hbcluster.link1.Manager Warnings | grep -q weak-auth-crc-udp ||
      fail "hb-linkd does not warn that crc protects a UDP medium"
    say "hb-linkd warns: crc on UDP (weak-auth-crc-udp)"
  fi

  # 0. A local user: hacluster (ipfaild's user, and respawned programs') may send ipfail's
  #    messages through hb-linkd, but not a t=shutdone or a hand-over; nobody else anything.
  local as_hacluster="setpriv --reuid=hacluster --regid=haclient --clear-groups"
  if in_node ha2 $as_hacluster busctl call io.github.hbcluster.link1 /io/github/hbcluster/link1 \
    io.github.hbcluster.link1.Manager SendMessage 'ssa{ss}' "" shutdone 1 st dead 2>/dev/null; then
    fail "hacluster could send t=shutdone through hb-linkd"
  fi
  in_node ha2 $as_hacluster busctl call io.github.hbcluster.link1 /io/github/hbcluster/link1 \
    io.github.hbcluster.link1.Manager SendMessage 'ssa{ss}' "" num_ping_nodes 1 num_ping 0 >/dev/null ||
    fail "hacluster could not send ipfail's num_ping_nodes"
  if in_node ha2 setpriv --reuid=nobody --regid=nogroup --clear-groups busctl call io.github.hbcluster.link1 \
    /io/github/hbcluster/link1 io.github.hbcluster.link1.Manager SendMessage 'ssa{ss}' "" num_ping_nodes 0 \
    2>/dev/null; then
    fail "nobody could send a cluster message"
  fi
  say "local users: hacluster may send ipfail's messages only, nobody nothing"
  # Who owns membership1 says which nodes are dead: not hacluster (ipfaild, respawned programs).
  # Asked without queueing: hb-membershipd's own user is told "exists" (3), hacluster refused.
  local ask="busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus RequestName su io.github.hbcluster.membership1 4"
  local own mine
  own=$(in_node ha2 $as_hacluster $ask 2>&1 || true)
  mine=$(in_node ha2 setpriv --reuid=hb-membershipd --regid=haclient --clear-groups $ask 2>&1 || true)
  [ "$mine" = "u 3" ] || fail "hb-membershipd's user asking for its own bus name got: $mine"
  [[ "$own" == *"Access denied"* ]] ||
    fail "hacluster asking for io.github.hbcluster.membership1 was not refused: $own"
  say "local users: hacluster may not own hb-membershipd's bus name"
  if [ "$auth" = sha1 ]; then
    # hb-linkd, which parses every packet, is not root: its own user, three capabilities.
    local user caps
    user=$(in_node ha1 ps -o user= -C hb-linkd | tr -d ' ')
    caps=$(in_node ha1 sh -c 'grep CapEff /proc/$(pidof hb-linkd)/status' | awk '{ print $2 }')
    [ "$user" = hb-linkd ] || fail "hb-linkd runs as '$user', not as its own user"
    # CAP_NET_BIND_SERVICE (10), CAP_IPC_LOCK (14), CAP_SYS_NICE (23)
    [ "$caps" = 0000000000804400 ] || fail "hb-linkd has capabilities $caps"
    if in_node ha1 setpriv --reuid=hb-linkd --regid=hb-linkd --clear-groups busctl call \
      io.github.hbcluster.link1 /io/github/hbcluster/link1 io.github.hbcluster.link1.Manager \
      ForgetGeneration s ha2 2>/dev/null; then
      fail "hb-linkd's own user could call the root-only ForgetGeneration"
    fi
    say "hb-linkd runs as user hb-linkd with CapEff $caps; its root-only method stays root's"
  fi

  # 1. Listen: status packets, and ha1's t=shutdone while it restarts hb (the group moves to ha2
  #    and back).
  cap=$WORK/$auth
  rogue capture --seconds 8 --out "$cap" >"$WORK/capture-$auth.log" &
  local capture_pid=$!
  sleep 1
  rig hb-stop ha1 >/dev/null
  wait_for 10 "ha2 serves while hb is stopped on ha1" page_names http://192.0.2.10/hostname.html ha2
  local gen_before=""
  if [ "$auth" = sha1 ]; then
    # As after an upgrade from when hb-linkd ran as root: its counter in root's /var/lib/hb, a
    # little ahead of the one in its own directory. It must move, never go backwards.
    gen_before=$(in_node ha1 sh -c 'tr -d " " </var/lib/hb-linkd/hb_generation')
    in_node ha1 sh -c "mkdir -p /var/lib/hb && printf '%20s\n' $((gen_before + 5)) >/var/lib/hb/hb_generation"
  fi
  rig hb-start ha1 >/dev/null
  wait_for 10 "ha1 serves again" page_names http://192.0.2.10/hostname.html ha1
  wait "$capture_pid" || fail "the capture failed: $(cat "$WORK/capture-$auth.log")"
  if [ -n "$gen_before" ]; then
    local gen_now
    gen_now=$(in_node ha1 busctl --json=short get-property io.github.hbcluster.link1 \
      /io/github/hbcluster/link1 io.github.hbcluster.link1.Manager Generation | python3 -c \
      'import json, sys; print(json.load(sys.stdin)["data"])')
    [ "$gen_now" = $((gen_before + 6)) ] ||
      fail "ha1's generation is $gen_now after the move of /var/lib/hb's $((gen_before + 5))"
    in_node ha1 test ! -e /var/lib/hb/hb_generation || fail "/var/lib/hb/hb_generation was not moved"
    say "hb_generation moved from /var/lib/hb to /var/lib/hb-linkd: generation $gen_now"
  fi
  status=$(ls "$cap"/*-ha1-status.pkt 2>/dev/null | tail -1)
  shutdone=$(ls "$cap"/*-ha1-shutdone.pkt 2>/dev/null | tail -1)
  [ -n "$status" ] || fail "the rogue heard no status packet from ha1"
  [ -n "$shutdone" ] || fail "the rogue heard no t=shutdone from ha1"
  say "rogue captured $(ls "$cap" | wc -l) datagrams (ha1's status and t=shutdone among them)"
  sleep_past deadtime 1  # settle after the failback
  before1=$(deaths ha1)
  before2=$(deaths ha2)

  # 2. The attacks, each bounded.
  rogue send --to $BCAST --kind garbage --count 300 >/dev/null
  rogue send --to $BCAST --kind truncated --from "$status" --count 300 >/dev/null
  rogue send --to $BCAST --kind oversized --count 20 >/dev/null
  rogue send --to $BCAST --kind replay --from "$status" --count 300 >/dev/null
  rogue send --to 192.0.2.12 --kind replay --from "$shutdone" --count 5 >/dev/null
  local key=crc
  [ "$auth" = sha1 ] && key=sha1:not-the-cluster-key
  rogue send --to $BCAST --kind resign --from "$status" --auth $key --count 100 >/dev/null
  rogue send --to $BCAST --kind resign --from "$status" --auth $key --set hg=7fffffffffffffff --count 50 >/dev/null
  rogue send --to $BCAST --kind resign --from "$status" --auth $key --set seq=7fffffffffffffff --count 50 >/dev/null
  rogue send --to $BCAST --kind resign --from "$status" --auth $key --set dt=3b9aca00 --count 50 >/dev/null
  rogue send --to $BCAST --kind resign --from "$status" --auth $key --set dt=1 --count 50 >/dev/null
  rogue send --to 192.0.2.12 --kind resign --from "$shutdone" --auth $key --count 5 >/dev/null
  rogue send --to $BCAST --kind resign --from "$status" --auth $key --set t=NS_rexmit \
    --set firstseq=1 --set lastseq=100000 --set dest=ha1 --count 20 >/dev/null
  say "attacks sent: garbage, truncated, oversized, replays (status, old t=shutdone), re-signed ($key) with out-of-bound hg/seq/dt, forged t=shutdone and NS_rexmit"

  # Nothing may follow from them: checked once a death would have been declared.
  sleep_past deadtime 2
  [ "$(deaths ha1)" = "$before1" ] || fail "ha1 declared a node dead during the attacks"
  [ "$(deaths ha2)" = "$before2" ] || fail "ha2 declared a node dead during the attacks"
  holds_ip ha1 && holds_mount ha1 || fail "ha1 lost the group during the attacks"
  holds_nothing ha2 || fail "ha2 took resources during the attacks"
  page_names http://192.0.2.10/hostname.html ha1 || fail "ha1 does not serve the site after the attacks"
  local d2
  d2=$(drops ha2)
  say "after the attacks: no death, no takeover; drops on ha1: $(drops ha1)"
  say "                                        drops on ha2: $d2"
  # Each kind counted by its reason (fields are heartbeat's hex: hg, seq and dt out of bounds).
  local want="malformed replay old-generation"
  if [ "$auth" = sha1 ]; then want="$want auth"; else want="$want generation-out-of-bound seq-too-far-ahead"; fi
  for reason in $want; do
    [[ " $d2 " == *" $reason="* ]] || fail "ha2 counted no '$reason' drop: $d2"
  done
  # The dt forgeries reuse the captured seq, so they fall as replays here; a crc forgery with a
  # fresh seq and an absurd dt is clamped (tests/unit/proto/wire_rules_test.cpp).

  # 3. The flood (captured status replayed as fast as one sender can), with a power-off of ha1
  #    in its middle: ha2 must still take over in deadtime plus the usual.
  pid0=$(in_node ha2 systemctl show -P MainPID hb-linkd.service)
  c0=$(cpu_ticks ha2 "$pid0")
  t0=$(date +%s.%N)
  rogue send --to $BCAST --kind replay --from "$status" --count 10000000 --seconds "$FLOOD_SECONDS" \
    >"$WORK/flood-$auth.log" &
  local flood_pid=$!
  sleep "$(awk -v s="$FLOOD_SECONDS" 'BEGIN { print s / 3 }')"
  [ "$(deaths ha2)" = "$before2" ] || fail "ha2 declared a node dead under the flood"
  holds_nothing ha2 || fail "ha2 took resources under the flood"
  t=$(date +%s.%N)
  rig poweroff ha1
  wait_for "$(awk -v d="$(timing_secs deadtime)" -v m="$FLOOD_MARGIN" 'BEGIN { print d + m }')" \
    "ha2 serves after ha1's power loss, under the flood" page_names http://192.0.2.10/hostname.html ha2
  say "power-off -> first page from ha2 under the flood: $(secs_since "$t") s; ha2's journal:"
  in_node ha2 journalctl -q -o short-precise -u hb-membershipd -u hb-resourced --since "-20s" |
    grep -E 'node ha1: is dead|acquired 192.0.2.10' | tail -3 | sed 's/^/    /'
  wait "$flood_pid" || fail "the flood failed"
  c1=$(cpu_ticks ha2 "$pid0")
  rate=$(cat "$WORK/flood-$auth.log")
  say "flood: $rate; ha2's hb-linkd used $(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v hz="$(getconf CLK_TCK)" \
    -v now="$(date +%s.%N)" 'BEGIN { printf "%.0f%%", 100 * (b - a) / hz / (now - t0) }') of one core"
  say "drops on ha2 after the flood: $(drops ha2)"

  stop_sampler || fail "two holders at once"
  HB_RIG=$RUN "$RIG" down >/dev/null
  "$RIG" check-clean "$RUN" || fail "rig run $RUN left something behind"
  RUN=""
}

run_with sha1
run_with crc
say "PASS: a rogue host on the LAN changed nothing, and a power-off under its flood was taken over"
