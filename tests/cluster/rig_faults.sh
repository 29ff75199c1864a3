#!/usr/bin/env bash
# The rig's fault verbs do what they say and undo cleanly: cable cuts (one LAN, UDP 694 only, the
# serial line), a bounded cut that restores itself, the ping node losing a node, a hard power-off
# (the node's resources die with it) and a boot of the same node, killing a daemon.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

rig_up --serial --lan2 --hb off
reach() { in_node "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; }
unreach() { ! in_node "$1" ping -c1 -W0.3 "$2" >/dev/null 2>&1; }

udp_passes() { # FROM TO_ADDR PORT: does one datagram get through?
  in_node ha2 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1]))); s.settimeout(1.5)
try:
    s.recvfrom(100); sys.exit(0)
except socket.timeout:
    sys.exit(1)' "$3" &
  local l=$! i
  for i in $(seq 1 10); do
    in_node "$1" python3 -c '
import socket, sys
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", (sys.argv[1], int(sys.argv[2])))
except PermissionError:
    pass  # our own output chain drops it' "$2" "$3"
    kill -0 $l 2>/dev/null || break
    sleep 0.1
  done
  wait $l
}

rig cut ha1 eth0
unreach ha1 192.0.2.12 || fail "cut ha1 eth0: ha2 still reachable on the cluster LAN"
reach ha1 198.51.100.12 || fail "cut ha1 eth0 also cut the second LAN"
rig restore ha1 eth0
wait_for 5 "restore ha1 eth0: ha2 reachable again" reach ha1 192.0.2.12

rig cut ha1 udp
udp_passes ha1 192.0.2.12 694 && fail "cut ha1 udp: UDP 694 still passes"
udp_passes ha1 192.0.2.12 7694 || fail "cut ha1 udp dropped more than port 694"
reach ha1 192.0.2.12 || fail "cut ha1 udp dropped ICMP"
rig restore ha1 udp
udp_passes ha1 192.0.2.12 694 || fail "restore ha1 udp: UDP 694 still dropped"
say "cut/restore of eth0 and of UDP 694 ok"

rig cut ha1 eth1 --for 1
unreach ha1 198.51.100.12 || fail "cut ha1 eth1 --for 1: still reachable"
wait_for 5 "bounded cut restored itself" reach ha1 198.51.100.12

rig ping-cut ha1
unreach ha1 192.0.2.1 || fail "ping-cut ha1: the ping node still answers ha1"
reach ha2 192.0.2.1 || fail "ping-cut ha1 also cut ha2"
rig ping-restore ha1
wait_for 5 "ping-restore ha1" reach ha1 192.0.2.1

serial_passes() { # a fresh token each time: bytes left in the tty from an earlier check don't count
  local got token=t$RANDOM$RANDOM
  got=$(mktemp)
  in_node ha2 timeout 1 cat /dev/ttyS0 >"$got" &
  local r=$! i
  for i in $(seq 1 8); do in_node ha1 sh -c "printf $token >/dev/ttyS0"; sleep 0.1; done
  wait $r || true
  local rc=1
  grep -q "$token" "$got" && rc=0
  rm -f "$got"
  return $rc
}
in_node ha1 stty -F /dev/ttyS0 raw -echo
in_node ha2 stty -F /dev/ttyS0 raw -echo
serial_passes || fail "serial cable carries nothing before the cut"
rig cut ha1 serial
serial_passes && fail "cut ha1 serial: bytes still arrive"
rig restore ha1 serial
serial_passes || fail "restore ha1 serial: nothing arrives"
say "bounded cut, ping-cut and serial cut ok"

# Hard power-off: a node holding the disk and the IP loses both at once and answers nothing.
in_node ha2 busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager \
  StartTransientUnit 'ssa(sv)a(sa(sv))' ha.mount replace 3 What s /dev/sdb Where s /ha Type s ext4 0 >/dev/null
in_node ha2 ip addr add 192.0.2.10/24 brd + dev eth0
wait_for 5 "ha2 holds the IP and /ha" holds_mount ha2
rig poweroff ha2
rig holders | grep -q '^ha2 off ip=no mount=no' || fail "ha2 still holds something after poweroff: $(rig holders)"
! client ping -c1 -W0.3 192.0.2.12 >/dev/null 2>&1 || fail "a powered-off ha2 still answers"
! client ping -c1 -W0.3 192.0.2.10 >/dev/null 2>&1 || fail "the cluster IP still answers after its holder died"
rig boot ha2
holds_nothing ha2 || fail "ha2 holds something after reboot"
wait_for 5 "ha2 reachable after boot" client ping -c1 -W1 192.0.2.12
# The disk is mountable again by anyone (it was never cleanly unmounted, like after a crash).
in_node ha1 busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager \
  StartTransientUnit 'ssa(sv)a(sa(sv))' ha.mount replace 3 What s /dev/sdb Where s /ha Type s ext4 0 >/dev/null
wait_for 5 "ha1 mounts the disk after ha2's crash" holds_mount ha1
say "poweroff / boot ok"

in_node ha1 systemctl start systemd-hostnamed.service
rig kill-daemon ha1 systemd-hostnamed
wait_for 5 "kill-daemon ha1 systemd-hostnamed" sh -c "! '$RIG' exec ha1 systemctl is-active --quiet systemd-hostnamed"
say "PASS: fault verbs"
