#!/usr/bin/env bash
# The seed's web setup works on the rig when the resources are moved by hand, the way hb-resourced
# will move them (over each node's own bus): on ha1 then on ha2, the shared disk is mounted at /ha
# (a transient mount unit), the cluster IP added and Apache started; the client gets index.html
# from the shared disk and hostname.html naming that node, from the node's own address and from the
# cluster IP; then everything is released so the other node can take it. hb is kept off here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

rig_up --hb off
start_sampler

systemd_call() { # NODE METHOD ARGS...
  local n=$1
  shift
  in_node "$n" busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager "$@" >/dev/null
}

take() { # NODE: what hb-resourced will do, left to right
  systemd_call "$1" StartTransientUnit 'ssa(sv)a(sa(sv))' ha.mount replace 3 What s /dev/sdb Where s /ha Type s ext4 0
  wait_for 5 "$1: /ha mounted" holds_mount "$1"
  in_node "$1" ip addr add 192.0.2.10/24 brd + dev eth0
  systemd_call "$1" StartUnit ss apache2.service replace
  wait_for 10 "$1: Apache active" apache_active "$1"
}

release() { # NODE: right to left
  systemd_call "$1" StopUnit ss apache2.service replace
  wait_for 10 "$1: Apache stopped" apache_inactive "$1"
  in_node "$1" ip addr del 192.0.2.10/24 dev eth0
  systemd_call "$1" StopUnit ss ha.mount replace
  wait_for 5 "$1: holds nothing" holds_nothing "$1"
}

for pair in "ha1 ha2" "ha2 ha1"; do
  set -- $pair
  node=$1 other=$2
  own=192.0.2.1${node#ha}
  take $node
  # No gratuitous ARP here (that is hb-resourced's job): the client forgets the old owner's MAC.
  client ip neigh flush all
  for base in "http://$own" "http://192.0.2.10"; do
    get "$base/index.html" | grep -q "High Availability Cluster ha.haw2.ibm.com" || fail "$base/index.html not served by $node"
    page_names "$base/hostname.html" $node || fail "$base/hostname.html does not name $node: $(get "$base/hostname.html" || true)"
  done
  say "$node serves index.html and hostname.html (naming $node) at $own and 192.0.2.10"
  apache_inactive $other || fail "Apache runs on $other too"
  holds_nothing $other || fail "$other holds a resource while $node has them"
  release $node
done

# Apache as a resource: killing it leaves the unit failed/inactive (the fault verb works).
take ha1
rig kill-apache ha1
wait_for 5 "ha1: Apache dead after kill-apache" apache_inactive ha1
in_node ha1 systemctl reset-failed apache2.service || true
in_node ha1 ip addr del 192.0.2.10/24 dev eth0
systemd_call ha1 StopUnit ss ha.mount replace
wait_for 5 "ha1: holds nothing" holds_nothing ha1
say "PASS: web layout on the shared disk, served by each node in turn"
