#!/usr/bin/env bash
# hb's cl_status answers as heartbeat 3.0.6's own does. The same cluster is booted twice, once
# running Debian's heartbeat (whose cl_status is the reference) and once hb, each on two nodes
# with the serial cable, ha1 serving the group and ha2 its standby; the same cl_status commands
# run on both nodes of each: every sub-command admins' scripts call, with its options, on nodes,
# the ping node, links and names that do not exist. Their stdout, stderr (the log prefix's pid and
# time left out) and exit codes must be the same. Then ha1 is powered off and the commands run
# again on ha2, which took the group over: the answers after a failover must be the same too.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs

commands=(
  "hbstatus" "hbstatus -m"
  "listnodes" "listnodes -p" "listnodes -n" "listnodes -v" "listnodes -m -n"
  "nodestatus ha1" "nodestatus ha2" "nodestatus 192.0.2.1" "nodestatus nosuch" "nodestatus -m ha2"
  "nodetype ha1" "nodetype 192.0.2.1" "nodetype nosuch"
  "nodeweight ha1" "nodesite ha1"
  "listhblinks ha1" "listhblinks ha2" "listhblinks -v ha2" "listhblinks -v ha1" "listhblinks 192.0.2.1"
  "hblinkstatus ha1 eth0" "hblinkstatus ha2 eth0" "hblinkstatus ha2 /dev/ttyS0"
  "hblinkstatus ha2 eth9" "hblinkstatus -m ha2 eth0"
  "clientstatus ha1 ipfail" "clientstatus ha2 ipfail" "clientstatus ha1 nosuch"
  "rscstatus" "rscstatus -m"
  "hbparameter -p deadtime" "hbparameter -p keepalive" "hbparameter -p auto_failback"
  "hbparameter -p nosuch" "hbparameter"
  "nosuchcommand"
)

# Every command's answer on NODES, into FILE: the command, stdout, stderr, exit code.
answers() { # FILE NODE...
  local file=$1 node c code
  shift
  : >"$file"
  for node in "$@"; do
    for c in "${commands[@]}"; do
      code=0
      # shellcheck disable=SC2086  # the command's words
      in_node "$node" sh -c "cl_status $c >/tmp/out 2>/tmp/err" || code=$?
      {
        echo "### $node: cl_status $c (exit $code)"
        in_node "$node" cat /tmp/out
        in_node "$node" cat /tmp/err | sed -E 's/^[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} (\S+) cl_status: \[[0-9]+\]: /TIME \1 cl_status: [PID]: /'
      } >>"$file"
    done
  done
}

compare() { # WHAT
  if ! diff -u "$OUT/heartbeat.$1" "$OUT/hb.$1" >"$OUT/diff.$1"; then
    say "cl_status $1: the answers differ (- heartbeat, + hb):"
    sed 's/^/    /' "$OUT/diff.$1"
    return 1
  fi
  say "cl_status $1: $(grep -c '^###' "$OUT/hb.$1") answers the same as heartbeat's"
}

OUT=$(mktemp -d /tmp/hb-clstatus.XXXXXX)
cleanup_out() { rm -rf "$OUT"; }
trap 'rc=$?; cleanup_out; finish $rc' EXIT

for stack in heartbeat hb; do
  rig_up --stack "$stack" --serial
  wait_for 60 "$stack: ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
  # Both nodes see each other, every link up, ipfail running and the ping node reached on
  # both, no resource in transition.
  settled() {
    local n
    in_node ha2 cl_status hblinkstatus ha1 /dev/ttyS0 && in_node ha2 cl_status hblinkstatus ha1 eth0 &&
      in_node ha1 cl_status hblinkstatus ha2 /dev/ttyS0 && in_node ha1 cl_status hblinkstatus ha2 eth0 || return 1
    for n in ha1 ha2; do
      in_node "$n" cl_status clientstatus "$n" ipfail && [ "$(in_node "$n" cl_status nodestatus 192.0.2.1)" = ping ] &&
        [ "$(in_node "$n" cl_status rscstatus)" != transition ] || return 1
    done
  }
  wait_for 60 "$stack: links up, ipfail running, ha2 holds nothing" settled
  answers "$OUT/$stack.serving" ha1 ha2
  rig poweroff ha1
  wait_for 60 "$stack: ha2 serves the site after ha1's power-off" page_names http://192.0.2.10/hostname.html ha2
  took_over() { [ "$(in_node ha2 cl_status rscstatus)" != transition ] && [ "$(in_node ha2 cl_status nodestatus ha1)" = dead ]; }
  wait_for 30 "$stack: ha2 has settled" took_over
  answers "$OUT/$stack.failover" ha2
  if [ "$stack" = heartbeat ]; then
    rig down >/dev/null
    "$RIG" check-clean "$RUN" || fail "the heartbeat run $RUN left something behind"
    unset HB_RIG
  fi
done
same=1
compare serving || same=0
compare failover || same=0
[ "$same" = 1 ] || fail "hb's cl_status does not answer as heartbeat's"
say "PASS: hb's cl_status answers as heartbeat's, serving and after a failover"
