#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, boots the seed's two-node cluster
# (ha1, ha2 as systemd-nspawn nodes; cluster IP 192.0.2.10; shared disk at /ha; Apache), shows it,
# runs the seed's test procedure when hb-resourced can run the group, and tears everything down at
# the end or on Ctrl-C.
#   sudo scripts/demo.sh [--slow] [--no-build]
#     --slow      the seed's timings (keepalive 2, deadtime 60, initdead 120) instead of fast ones
#     --no-build  boot what the build dir holds as it is (no meson compile)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RIG=$ROOT/tests/rig/rig
BUILD=${HB_BUILD_DIR:-build}
SLOW=""
BUILD_IT=1
for a in "$@"; do
  case $a in
    --slow) SLOW=--slow ;;
    --no-build) BUILD_IT=0 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--slow] [--no-build]" >&2; exit 64 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it boots containers): sudo $0" >&2; exit 1; }

if [ -t 1 ]; then B=$'\e[1m' G=$'\e[32m' Y=$'\e[33m' R=$'\e[31m' N=$'\e[0m'; else B="" G="" Y="" R="" N=""; fi
T0=$(date +%s.%N)
ts() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.2fs", b - a }'; }
title() { printf '\n%s== %s ==%s\n' "$B" "$*" "$N"; }
say() { printf '[%s] %s\n' "$(ts)" "$*"; }
secs_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

RUN=""
WATCH_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$WATCH_PID" ]; then kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null || true; fi # its 143 must not trip set -e
  if [ -n "$RUN" ]; then
    title "Tearing down"
    HB_RIG=$RUN "$RIG" down || rc=1
  fi
  exit $rc
}
trap cleanup EXIT
trap 'echo; say "interrupted"; exit 130' INT TERM

title "Dependencies and build"
scripts/ensure-deps.sh rig
if [ ! -f "$BUILD/build.ninja" ]; then meson setup "$BUILD" >/dev/null; fi
if [ $BUILD_IT = 1 ]; then
  meson compile -C "$BUILD" >"$BUILD/demo-compile.log" 2>&1 ||
    { tail -20 "$BUILD/demo-compile.log"; echo "demo: the build failed (log: $BUILD/demo-compile.log)" >&2; exit 1; }
  echo "built $BUILD"
fi

title "Booting the seed's cluster: ha1 and ha2"
RUN=$("$RIG" up --build-dir "$BUILD" --serial --hb manual $SLOW | tail -1)
export HB_RIG=$RUN
. <("$RIG" info)
say "booted in $BOOT_SECONDS s ($UP_SECONDS s with networks, shared disk and layer)"

title "The configuration (/etc/ha.d, identical on both nodes)"
for f in ha.cf haresources; do
  echo "${B}/etc/ha.d/$f${N}"
  "$RIG" exec ha1 grep -v '^#' /etc/ha.d/$f | sed 's/^/    /'
done
echo "${B}/etc/ha.d/authkeys${N} (mode $("$RIG" exec ha1 stat -c %a /etc/ha.d/authkeys)): $("$RIG" exec ha1 sed -n 2p /etc/ha.d/authkeys | awk '{print $1, $2, ($3 ? "<key>" : "")}')"
echo "Networks: cluster LAN 192.0.2.0/24 (ha1 .11, ha2 .12, cluster IP .10, client .100, ping node .1);"
echo "serial null-modem cable ha1 /dev/ttyS0 <-> ha2 /dev/ttyS0; shared disk /dev/sdb (ext4, mounted at /ha by the owner)."

title "Step 1 of the seed: start hb on ha1, then on ha2"
hb_installed=1
if ! "$RIG" exec ha1 systemctl cat hb.target >/dev/null 2>&1; then
  hb_installed=0
  say "${Y}hb.target is not installed by this build: the nodes run without hb${N}"
else
  for n in ha1 ha2; do
    t=$(date +%s.%N)
    "$RIG" hb-start $n 2>/dev/null
    say "$n: systemctl start hb.target -> $("$RIG" exec $n systemctl is-active hb.target || true) ($(secs_since "$t") s)"
  done
fi
"$RIG" status
if [ $hb_installed = 1 ]; then
  for n in ha1 ha2; do
    echo "${B}$n${N}: $("$RIG" exec $n systemctl list-units --plain --no-legend 'hb*' 'ipfaild*' |
      awk '$1 != "hb-rig-disk.service" { printf "%s %s  ", $1, $4 }')"
  done
fi

# Can hb-resourced run the group? Its group must get an owner (io.github.hbcluster.resource1).
group_runs() {
  [ $hb_installed = 1 ] || return 1
  local limit=8 t out
  [ -n "$SLOW" ] && limit=150
  t=$(date +%s.%N)
  while awk -v a="$t" -v b="$(date +%s.%N)" -v l=$limit 'BEGIN { exit !(b - a < l) }'; do
    out=$("$RIG" group ha1 2>/dev/null) || { [ -n "$SLOW" ] || return 1; }
    [ -n "$out" ] && [ "${out%% *}" != "-" ] && return 0
    sleep 0.2
  done
  return 1
}

# The live view: one line each time who holds what, or who answers for the site, changes.
watch_cluster() {
  local last="" line page i
  for i in $(seq 1 6000); do # bounded: 10 minutes at most
    page=$("$RIG" client curl -s --max-time 0.5 http://192.0.2.10/hostname.html 2>/dev/null |
      grep -o 'node ha[0-9]*' | cut -d' ' -f2) || true
    line="$("$RIG" holders | awk '{ h = ($2 == "off") ? "off" : (($3 == "ip=yes") ? "IP" : "") (($4 == "mount=yes") ? "+/ha" : ""); printf "%s[%s] ", $1, (h == "" ? "-" : h) }')| site: ${page:-no answer}"
    if [ "$line" != "$last" ]; then
      printf '[%s]   %slive%s %s\n' "$(ts)" "$Y" "$N" "$line"
      last=$line
    fi
    sleep 0.1
  done
}

# A short timeout: while the address moves, a request to it hangs, and each step's time would
# then measure curl's timeout rather than hb (bench/failover polls every 20 ms for real figures).
page_from() { "$RIG" client curl -s --max-time 0.2 http://192.0.2.10/hostname.html 2>/dev/null | grep -q "node $1\."; }
wait_page() { # NODE LIMIT
  local t
  t=$(date +%s.%N)
  while ! page_from "$1"; do
    awk -v a="$t" -v b="$(date +%s.%N)" -v l="$2" 'BEGIN { exit !(b - a > l) }' && return 1
    sleep 0.05
  done
}

if ! group_runs; then
  title "Failover"
  why="hb-resourced is not installed"
  [ $hb_installed = 1 ] && why="hb-resourced publishes the group but does not run it yet (owner: $("$RIG" group ha1 2>/dev/null || echo 'not on the bus'))"
  echo "${Y}Failover is not implemented yet: $why.${N}"
  echo "The seed's procedure (pages via 192.0.2.10, failover on hb stop, failback) runs here once"
  echo "hb-resourced takes the group (issue 6); 'meson test --suite cluster' skips it until then."
  exit 0
fi

limit=15
[ -n "$SLOW" ] && limit=150
title "The seed's procedure, live"
watch_cluster &
WATCH_PID=$!
t=$(date +%s.%N)
wait_page ha1 $limit || { say "${R}ha1 did not take the group${N}"; exit 1; }
say "${G}ha1 serves the site${N} ($(secs_since "$t") s after hb start)"
echo "  index.html:    $("$RIG" client curl -s http://192.0.2.10/index.html)"
echo "  hostname.html: $("$RIG" client curl -s http://192.0.2.10/hostname.html)"

title "Step 3: stop hb on ha1 (failover)"
t=$(date +%s.%N)
"$RIG" hb-stop ha1 2>/dev/null
wait_page ha2 $limit || { say "${R}ha2 did not take over${N}"; exit 1; }
say "${G}failover: ha2 serves the site $(secs_since "$t") s after hb stop on ha1${N}"
echo "  hostname.html: $("$RIG" client curl -s http://192.0.2.10/hostname.html)"

title "Step 4: start hb on ha1 again (failback, auto_failback on)"
t=$(date +%s.%N)
"$RIG" hb-start ha1 2>/dev/null
wait_page ha1 $limit || { say "${R}the group did not come back to ha1${N}"; exit 1; }
say "${G}failback: ha1 serves the site $(secs_since "$t") s after hb start${N}"

title "Beyond the seed: hard power-off of ha1"
t=$(date +%s.%N)
"$RIG" poweroff ha1 2>/dev/null
wait_page ha2 $limit && say "${G}ha2 serves the site $(secs_since "$t") s after ha1 lost power${N}" ||
  say "${R}ha2 did not take over after the power-off${N}"
sleep 1
"$RIG" status
