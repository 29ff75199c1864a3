#!/usr/bin/env bash
# The rig boots the seed's two-node cluster: each node its own systemd, hostname, /etc/ha.d, shared
# disk device and serial tty; both LANs, broadcasts, the client and the ping node reach the nodes;
# hb.target is active when this build installs it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

rig_up --serial --lan2
[ "${HB_INSTALLED:-1}" = 1 ] || fail "meson install of $BUILD_DIR failed: the nodes run without hb (see the rig's layer install.log)"
for k in 1 2; do
  n=ha$k
  [ "$(in_node $n uname -n)" = $n ] || fail "$n: uname -n is '$(in_node $n uname -n)'"
  state=$(in_node $n systemctl is-system-running || true)
  [ "$state" = running ] || fail "$n: system $state; failed units: $(in_node $n systemctl --failed --plain --no-legend)"
  in_node $n systemctl is-active --quiet dbus.service || fail "$n: no system bus"
  [ "$(in_node $n stat -c %a /etc/ha.d/authkeys)" = 600 ] || fail "$n: authkeys is not mode 600"
  in_node $n grep -qx "node $n" /etc/ha.d/ha.cf || fail "$n: ha.cf does not name $n"
  in_node $n test -b /dev/sdb || fail "$n: no shared disk block device /dev/sdb"
  in_node $n test -c /dev/ttyS0 || fail "$n: no serial tty /dev/ttyS0"
  [ "$(in_node $n readlink /var/www/html)" = /ha/www/html ] || fail "$n: /var/www/html is not a link to /ha/www/html"
  in_node $n grep -q "node $n.haw2.ibm.com" /var/www/htmllocal/hostname.html || fail "$n: hostname.html does not name $n"
  # Apache is a cluster resource: only hb-resourced may start it, never the boot itself.
  [ "$(in_node $n systemctl is-enabled apache2.service 2>/dev/null || true)" != enabled ] ||
    fail "$n: apache2.service is enabled at boot (it is a cluster resource)"
  if in_node $n systemctl cat hb.target >/dev/null 2>&1; then
    in_node $n systemctl is-active --quiet hb.target || fail "$n: hb.target is installed but $(in_node $n systemctl is-active hb.target || true)"
    say "$n: hb.target active; hb units: $(in_node $n systemctl list-units --plain --no-legend 'hb*' 'ipfaild*' | awk '{printf "%s=%s ", $1, $4}')"
  else
    say "$n: hb.target is not installed by this build: not checked"
  fi
  say "$n: booted, hostname, bus, /etc/ha.d, /dev/sdb, /dev/ttyS0, web layout ok"
done

# Networks: unicast on both LANs, the client and the ping node, and broadcasts (heartbeat's bcast).
in_node ha1 ping -c1 -W1 192.0.2.12 >/dev/null || fail "ha1 cannot reach ha2 on the cluster LAN"
in_node ha1 ping -c1 -W1 198.51.100.12 >/dev/null || fail "ha1 cannot reach ha2 on the second LAN"
for a in 192.0.2.11 192.0.2.12; do
  client ping -c1 -W1 $a >/dev/null || fail "client cannot reach $a"
  rig pingnode ping -c1 -W1 $a >/dev/null || fail "ping node cannot reach $a"
done
for bcast in 192.0.2.255 198.51.100.127; do
  in_node ha2 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 7694)); s.settimeout(3)
sys.exit(0 if s.recvfrom(100)[0] == b"hb-rig" else 1)' &
  listener=$!
  for i in $(seq 1 25); do
    in_node ha1 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.sendto(b"hb-rig", (sys.argv[1], 7694))' $bcast
    kill -0 $listener 2>/dev/null || break
    sleep 0.1
  done
  wait $listener || fail "a UDP broadcast from ha1 to $bcast did not reach ha2"
done
say "networks: both LANs, client, ping node, broadcasts ok"

# The serial null-modem cable carries bytes both ways (the seed's 'Serial Connection test').
# hb-linkd reads the line when it runs: stop hb first so the test's bytes are not consumed.
for n in ha1 ha2; do
  in_node $n systemctl cat hb.target >/dev/null 2>&1 && rig hb-stop $n 2>/dev/null
done
for pair in "ha1 ha2" "ha2 ha1"; do
  set -- $pair
  in_node $1 stty -F /dev/ttyS0 19200 raw -echo
  in_node $2 stty -F /dev/ttyS0 19200 raw -echo
  got=$(mktemp)
  token="Serial Connection test $RANDOM"
  in_node $2 timeout 2 cat /dev/ttyS0 >"$got" &
  reader=$!
  for i in $(seq 1 15); do
    in_node $1 sh -c "echo '$token' >/dev/ttyS0"
    grep -q "$token" "$got" && break
    sleep 0.1
  done
  wait $reader || true
  grep -q "$token" "$got" || { rm -f "$got"; fail "serial: $1 -> $2 lost the bytes"; }
  rm -f "$got"
done
say "serial cable: ha1 <-> ha2 ok"
say "PASS: rig boot (booted in $BOOT_SECONDS s)"
