#!/usr/bin/env bash
# The holder's system shuts down (`systemctl poweroff` in ha1, as an admin or a UPS daemon does):
# systemd stops every unit at once, the bus included, yet hb-resourced releases the group itself,
# right to left (Apache, then /ha, then the address), and ha2 takes it over at ha1's t=shutdone,
# without waiting out deadtime; never two holders. When ha1 is back the group returns to it.
# Then a group left partly active on the standby (Apache started by hand on ha2) is stopped when
# ha2's hb-resourced starts, while ha1 keeps serving.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

serving_cluster "system shutdown"
start_poller

# 1. ha1 shuts down.
t=$(date +%s.%N)
in_node ha1 systemctl poweroff --no-block
wait_for 10 "ha2 serves the site after ha1's shutdown" page_names http://192.0.2.10/hostname.html ha2
say "1. poweroff of ha1 -> first page from ha2: $(secs_since "$t") s"
in_node ha2 journalctl -q -u hb-membershipd.service --grep "Received shutdown notice from 'ha1'" >/dev/null ||
  fail "ha2 took over without ha1's shutdown notice"
! resourced_logged ha2 "node ha1: is dead" || fail "ha2 waited for ha1 to be dead: the hand-over was not clean"
wait_for 20 "ha1 is off" powered_off ha1

# 2. What ha1 did on the way down, read from its journal after it boots again.
rig boot ha1 >/dev/null
order=$(in_node ha1 journalctl -b -1 -q -o cat -u hb-resourced.service |
  grep -oE '^(stopped (apache2.service|ha.mount|hb-ipaddr@[^ ]*)|Heartbeat shutdown complete)' |
  sed 's/ (.*//; s/hb-ipaddr@.*/hb-ipaddr/' | tr '\n' ',')
say "2. ha1's hb-resourced on the way down: $order"
[ "$order" = "stopped apache2.service,stopped ha.mount,stopped hb-ipaddr,Heartbeat shutdown complete," ] ||
  fail "ha1 did not release the group itself, right to left, before it shut down"
systemd_order=$(in_node ha1 journalctl -b -1 -q -o cat _PID=1 |
  grep -oE '^(Stopped apache2.service|Unmounted ha.mount|Stopped hb-ipaddr@)' | tr '\n' ',')
[ "$systemd_order" = "Stopped apache2.service,Unmounted ha.mount,Stopped hb-ipaddr@," ] ||
  fail "ha1's systemd stopped the group's units out of order: $systemd_order"
wait_for 15 "ha1 serves the site again (auto_failback)" page_names http://192.0.2.10/hostname.html ha1
say "   ha1 booted again and took the group back"

# 3. Apache started by hand on the standby, then ha2's hb-resourced restarted: the group is
#    partly active there, and is stopped before ha2 says anything to ha1.
in_node ha2 systemctl start apache2.service
in_node ha2 systemctl restart hb-resourced.service
wait_for 10 "ha2's hb-resourced stopped the Apache left running there" apache_inactive ha2
resourced_logged ha2 "group 192.0.2.10 is partly active here .apache2.service." ||
  fail "ha2 did not say why it stopped Apache"
resourced_logged ha2 "group 192.0.2.10: what was left of it is stopped" || fail "ha2 did not say the leftovers stopped"
page_names http://192.0.2.10/hostname.html ha1 || fail "ha1 no longer serves"
holds_nothing ha2 || fail "ha2 holds something: $(rig holders)"
say "3. a partly active group on the standby: stopped at hb-resourced's start; ha1 kept serving"

stop_poller
say "client: $(poll_total) requests, $(poll_count -) failed, $(poll_count ha2) answered by ha2"
stop_sampler || fail "two holders"
say "PASS: system shutdown"
