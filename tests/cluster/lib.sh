# Shared helpers of the cluster suite (sourced). Each test: `. lib.sh; start_test BUILD_DIR`, then
# `rig_up ...`; the EXIT trap tears the rig down and fails the test if anything is left behind.
# Exit codes follow meson: 0 pass, 77 skip, anything else fail.

SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RIG=$SRC_DIR/tests/rig/rig
HOLDERS=$SRC_DIR/tests/rig/holders.py
RUN=""
POLL=$SRC_DIR/bench/failover/poll.py
POLL_PID=""
POLL_DIR=""
SAMPLER_PID=""
SAMPLER_LOG=""
T0=$(date +%s.%N)

say() { printf '[%6.2fs] %s\n' "$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" "$*"; }
fail() { say "FAIL: $*"; exit 1; }
skip() { say "SKIP: $*"; exit 77; }
secs_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

finish() { # [RC]: the exit status to end with (default: the status the EXIT trap saw)
  local rc=${1:-$?} leftover
  trap - EXIT INT TERM
  stop_poller
  [ -z "$POLL_DIR" ] || rm -rf "$POLL_DIR"
  stop_sampler || rc=1
  if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -n "$RUN" ]; then
    local node
    for node in ha1 ha2 ha3 ha4; do
      HB_RIG=$RUN "$RIG" exec "$node" true >/dev/null 2>&1 || continue
      say "the hb journal of $node (last 60 lines), for the failure above:"
      HB_RIG=$RUN "$RIG" exec "$node" journalctl -q -o short-precise -n ${HB_JOURNAL_LINES:-60} -u hb-linkd \
        -u hb-membershipd -u hb-resourced 2>/dev/null | sed 's/^/    /' || true
      # A node that runs heartbeat (a --stack heartbeat rig) logs to ha.cf's logfile instead.
      if HB_RIG=$RUN "$RIG" exec "$node" systemctl -q is-active heartbeat 2>/dev/null; then
        say "heartbeat's ha-log of $node (last 60 lines):"
        HB_RIG=$RUN "$RIG" exec "$node" tail -n ${HB_JOURNAL_LINES:-60} /var/log/ha-log 2>/dev/null |
          sed 's/^/    /' || true
      fi
    done
  fi
  if [ -n "$RUN" ]; then
    HB_RIG=$RUN "$RIG" down >/dev/null 2>&1 || true
    if ! leftover=$("$RIG" check-clean "$RUN" 2>&1); then
      say "FAIL: rig run $RUN left something behind:"
      echo "$leftover"
      rc=1
    else
      say "teardown of run $RUN left nothing behind"
    fi
  fi
  if [ -n "${PRIVATE_RUN_BASE:-}" ]; then
    rmdir "$PRIVATE_RUN_BASE" 2>/dev/null || { say "FAIL: runs left in $PRIVATE_RUN_BASE"; rc=1; }
  fi
  exit $rc
}

# Keeps this test's runs in a state dir of its own, so `rig list` shows only them (a test that
# looks for "the new run" must not take another user's run for its own).
private_runs() {
  PRIVATE_RUN_BASE=$(mktemp -d /run/hb-rig-test.XXXXXX)
  export HB_RIG_RUN_BASE=$PRIVATE_RUN_BASE
}

start_test() { # BUILD_DIR
  BUILD_DIR=${1:-$SRC_DIR/build}
  [ "$(id -u)" = 0 ] || skip "the cluster suite boots systemd-nspawn nodes and needs root"
  command -v systemd-nspawn >/dev/null || fail "systemd-nspawn missing: run scripts/ensure-deps.sh rig"
  trap finish EXIT
  trap 'exit 130' INT TERM
}

# The Debian package this checkout builds (scripts/build-deb.sh BUILD_DIR/package: the package
# suite's package-build test).
package_deb() {
  local version
  version=$(dpkg-parsechangelog -l "$SRC_DIR/debian/changelog" -S Version)
  echo "$BUILD_DIR/package/hb_${version}_$(dpkg --print-architecture).deb"
}

# With HB_TEST_FROM_PACKAGE=1 (the package suite), the nodes get hb from its package instead of
# this build's install tree, so a cluster test checks the installed package.
rig_up() { # rig up options...
  local out deb=()
  if [ "${HB_TEST_FROM_PACKAGE:-0}" = 1 ]; then
    deb=(--deb "$(package_deb)")
    [ -f "${deb[1]}" ] || fail "no package at ${deb[1]}: the package-build test makes it (meson test -C $BUILD_DIR --suite package runs it first)"
  fi
  out=$("$RIG" up --build-dir "$BUILD_DIR" "${deb[@]}" "$@") || fail "rig up $* failed"
  RUN=$(echo "$out" | tail -1)
  export HB_RIG=$RUN
  # shellcheck disable=SC1090
  . <("$RIG" info)
  say "rig run $RUN up (${deb[*]:+${deb[*]} }$*): booted in $BOOT_SECONDS s, $UP_SECONDS s in all"
}

# ha.cf's timings of this run (rig info: DEADTIME=1, INITDEAD=2, or with ms) in seconds.
timing_secs() { # deadtime|initdead|keepalive
  local v
  case $1 in
    deadtime) v=$DEADTIME ;;
    initdead) v=$INITDEAD ;;
    keepalive) v=$KEEPALIVE ;;
  esac
  case $v in
    *ms) awk -v x="${v%ms}" 'BEGIN { print x / 1000 }' ;;
    *) echo "$v" ;;
  esac
}

# Before checking that something did NOT happen: wait until it would have happened, i.e. FACTOR
# times the timing (deadtime or initdead) plus a keepalive, never a fixed guess.
sleep_past() { # deadtime|initdead FACTOR
  sleep "$(awk -v t="$(timing_secs "$1")" -v f="$2" -v k="$(timing_secs keepalive)" 'BEGIN { print t * f + k }')"
}

rig() { "$RIG" "$@"; }
in_node() { "$RIG" exec "$@"; }
client() { "$RIG" client "$@"; }

# wait_for SECONDS DESCRIPTION CMD...: polls CMD every 20 ms until it succeeds.
wait_for() {
  local limit=$1 what=$2 t
  shift 2
  t=$(date +%s.%N)
  while ! "$@" >/dev/null 2>&1; do
    if awk -v a="$t" -v b="$(date +%s.%N)" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
      fail "$what: not after ${limit} s"
    fi
    sleep 0.02
  done
  say "$what ($(secs_since "$t") s)"
}

# The cluster IP / mount point / Apache on NODE, as the node sees them.
holds_ip() { "$RIG" holders | awk -v n="$1" '$1 == n { exit !($3 == "ip=yes") }'; }
holds_mount() { "$RIG" holders | awk -v n="$1" '$1 == n { exit !($4 == "mount=yes") }'; }
holds_nothing() { "$RIG" holders | awk -v n="$1" '$1 == n { exit !($3 == "ip=no" && $4 == "mount=no") }'; }
apache_active() { in_node "$1" systemctl is-active --quiet apache2.service; }
apache_inactive() { ! in_node "$1" systemctl is-active --quiet apache2.service; }

# GET URL from the client namespace; prints the body.
get() { client curl -fsS --max-time 1 "$1"; }
page_names() { get "$1" | grep -q "node $2\.haw2\.ibm\.com"; } # URL NODE

# The sampler: every 20 ms, who holds the cluster IP and has /ha mounted; fails the test if two
# nodes ever do at once.
start_sampler() {
  SAMPLER_LOG=$(mktemp /tmp/hb-cluster-sampler.XXXXXX)
  python3 "$HOLDERS" "$(rig state-dir)" --sample --period 0.02 --max-seconds 900 --log "$SAMPLER_LOG" &
  SAMPLER_PID=$!
  wait_for 5 "sampler running" test -s "$SAMPLER_LOG"
}

stop_sampler() {
  [ -n "$SAMPLER_PID" ] || return 0
  local rc=0
  kill -TERM "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" || rc=$?
  SAMPLER_PID=""
  say "holders over the run (sampled every 20 ms):"
  sed 's/^/    /' "$SAMPLER_LOG"
  rm -f "$SAMPLER_LOG"
  [ $rc = 0 ] || say "FAIL: two nodes held the cluster IP or /ha at the same time"
  return $rc
}

# Does this build's hb-resourced run the resource group (issue 6)? After hb starts on NODE, the
# group it publishes on the bus must get an owner within initdead (2 s) plus a margin. A skeleton
# that publishes the group as stopped does not. Prints the reason when not.
resourced_ready() { # NODE
  if ! in_node "$1" systemctl cat hb-resourced.service >/dev/null 2>&1; then
    echo "hb-resourced.service is not installed by this build (issue 6: hb-resourced)"
    return 1
  fi
  local out="" t
  t=$(date +%s.%N)
  while awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { exit !(b - a < 8) }'; do
    out=$("$RIG" group "$1" 2>/dev/null) || out=""
    [ -n "$out" ] && [ "${out%% *}" != "-" ] && return 0
    sleep 0.1
  done
  if [ -z "$out" ]; then
    echo "hb-resourced publishes no resource group with an Owner on the bus (issue 6)"
  else
    echo "hb-resourced publishes the group but does not run it yet: Owner stays empty, State '${out#* }' 8 s after hb start (issue 6)"
  fi
  return 1
}

# Boots the seed's cluster with hb started at boot (and the serial cable), starts the sampler,
# and waits until ha1 serves the site and both nodes have seen each other; fails when this build
# cannot run the group. WHAT names the scenario.
serving_cluster() { # WHAT
  rig_up --serial
  if ! in_node ha1 systemctl cat hb.target >/dev/null 2>&1; then
    fail "hb.target is not installed by this build: the $1 needs the hb daemons"
  fi
  if ! why=$(resourced_ready ha1); then fail "$why"; fi
  start_sampler
  wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
  sleep 1 # steady state: both nodes see each other before the fault
}

# Fence devices for a --fencing ipmi rig, as an admin would write them: one `stonith` line, the
# same in both nodes' ha.cf, naming a root-only file that holds the *peer's* BMC (its host name,
# address and credentials: cluster-glue's external/ipmi parameters, in -p order).
configure_fencing() { # (two nodes; hb not started yet)
  local node peer
  for node in ha1 ha2; do
    peer=$([ "$node" = ha1 ] && echo ha2 || echo ha1)
    local bmc_var="BMC_$peer"
    in_node "$node" sh -c "umask 077 && printf '%s\n' '# the peer this node fences: host ipaddr userid passwd interface' \
      '$peer ${!bmc_var} $BMC_USER $BMC_PASSWORD lan' > /etc/ha.d/fence-peer.cf &&
      echo 'stonith external/ipmi /etc/ha.d/fence-peer.cf' >> /etc/ha.d/ha.cf" ||
      fail "could not configure fencing on $node"
  done
}
powered_off() { "$RIG" holders | awk -v n="$1" '$1 == n { exit !($2 == "off") }'; } # NODE
powered_on() { "$RIG" holders | awk -v n="$1" '$1 == n { exit !($2 == "up") }'; }   # NODE
# NODE's hb-resourced journal has a line matching PATTERN.
resourced_logged() { in_node "$1" journalctl -q -u hb-resourced.service --grep "$2" >/dev/null; } # NODE PATTERN

# A client in the rig's client namespace GETs the site every 20 ms (bench/failover/poll.py, a
# request each tick, 0.3 s timeout), until stop_poller (finish stops it too). poll_count and
# poll_total count its log; a new start_poller starts a new log.
start_poller() {
  [ -z "$POLL_DIR" ] || rm -rf "$POLL_DIR"
  POLL_DIR=$(mktemp -d /tmp/hb-poll.XXXXXX)
  POLL_REPORTED=0
  rig client python3 "$POLL" "$POLL_DIR/log" "$POLL_DIR/stop" 600 &
  POLL_PID=$!
  wait_for 5 "poller running" test -s "$POLL_DIR/log"
}

stop_poller() {
  [ -n "$POLL_PID" ] || return 0
  touch "$POLL_DIR/stop"
  wait "$POLL_PID" || true
  POLL_PID=""
}

poll_count() { awk -v w="$1" '$3 == w' "$POLL_DIR/log" | wc -l; } # WHO ("-": failed)
poll_total() { wc -l <"$POLL_DIR/log"; }

# The client's log since the last report (or since start_poller): its failed requests, and the
# longest time between two answered requests (the outage the step caused, to within the 20 ms
# period), said as "   WHAT: longest time without a page 0.34 s, 21 failed requests".
POLL_REPORTED=0
report_outage() { # WHAT
  local total
  total=$(poll_total)
  awk -v from="$POLL_REPORTED" 'NR > from {
      if ($3 == "-") { failed++; next }
      if (last != "" && $1 - last > gap) gap = $1 - last
      last = $1
    } END { printf "longest time without a page %.2f s, %d failed requests\n", gap, failed }' \
    "$POLL_DIR/log" | sed "s/^/   $1: /" | while read -r line; do say "$line"; done
  POLL_REPORTED=$total
}

# heartbeat's hb_standby on NODE (a heartbeat node), until SERVER serves the site. heartbeat
# ignores the request while a standby round runs ("Standby in progress- new request from NODE
# ignored": its ipfail gives up foreign groups whenever the peer appears), and so does hb as its
# peer; then, as an admin reading that line would, it is made again once that round has ended.
heartbeat_standby() { # NODE SERVER
  local node=$1 server=$2 attempt ignored ended
  local ignored_line="new request from $node ignored"
  local round_ended="Standby resource acquisition done|completed standby takeover|Standby request cancelled"
  log_count() { in_node "$node" grep -cE "$1" /var/log/ha-log 2>/dev/null || true; } # PATTERN
  answered_or_ignored() { serves "$server" || [ "$(log_count "$ignored_line")" -gt "$ignored" ]; }
  round_over() { [ "$(log_count "$round_ended")" -gt "$ended" ]; }
  for attempt in 1 2 3; do
    ignored=$(log_count "$ignored_line")
    ended=$(log_count "$round_ended")
    in_node "$node" /usr/share/heartbeat/hb_standby all >/dev/null 2>&1 || fail "hb_standby on $node failed"
    wait_for 15 "$server serves or $node's heartbeat ignores its hb_standby" answered_or_ignored
    serves "$server" && return 0
    say "   $node's heartbeat ignored hb_standby (a standby round runs): again once it ends"
    wait_for 15 "$node's running standby round ends" round_over
  done
  fail "$server does not serve after three hb_standby on $node"
}

# The site's page names NODE (it serves the cluster IP).
serves() { page_names http://192.0.2.10/hostname.html "$1"; } # NODE
# heartbeat's cl_status (hb's or heartbeat's own) on NODE says PEER is active.
sees_active() { in_node "$1" cl_status nodestatus "$2" 2>/dev/null | grep -qx active; } # NODE PEER
