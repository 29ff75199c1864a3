#!/usr/bin/env bash
# From heartbeat to hb and back, on the standby of a serving heartbeat pair (Debian's heartbeat
# 3.0.6 on ha1 and ha2, ha1 serving; hb's package waits in each node's /var/cache/hb-rig/debs):
#   1. `apt-get install ./hb_….deb` on ha2 removes heartbeat (its conffiles kept: dpkg state "rc"),
#      keeps the admin's /etc/ha.d as it was, and starts nothing; ha1 serves on.
#   2. `systemctl enable --now hb.target` on ha2: hb continues heartbeat's generation (higher
#      than heartbeat's last on ha2), so ha1's heartbeat hears ha2 as active; ha2 takes nothing.
#   3. `apt-get install ./heartbeat_….deb` on ha2 removes hb (state "rc", /etc/ha.d kept) and
#      hands hb's generation back, so heartbeat there starts above it and ha1 hears ha2 again.
#   4. `dpkg --purge hb` removes hb's state with a warning that the generation is lost, and
#      leaves /etc/ha.d as it was.
# A sampler checks every 20 ms that the IP and /ha are never held twice.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
need_package

rig_up --stack heartbeat --deb "$DEB" --serial
start_sampler
# heartbeat's two nodes started at once wait its RQSTDELAY (10 s) before taking their groups.
wait_for 40 "ha1 (heartbeat) serves the site" page_names http://192.0.2.10/hostname.html ha1
wait_for 20 "ha1 sees ha2 (heartbeat) active" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"

ha_d_sums() { in_node ha2 sh -c 'cd /etc/ha.d && find . -type f | sort | xargs sha256sum'; }
generation() { in_node ha2 sh -c "tr -d ' \n' < $1"; } # FILE
ha_d_before=$(ha_d_sums)
hb_deb=$(in_node ha2 sh -c 'ls /var/cache/hb-rig/debs/hb_*.deb')
heartbeat_deb=$(in_node ha2 sh -c 'ls /var/cache/hb-rig/debs/heartbeat_*.deb')
conffiles=$(in_node ha2 dpkg-query -W -f '${Conffiles}' heartbeat | awk 'NF { print $1 }')
[ -n "$conffiles" ] || fail "heartbeat lists no conffiles on ha2"
heartbeat_gen=$(generation /var/lib/heartbeat/hb_generation)
say "ha2 runs heartbeat, generation $heartbeat_gen; its conffiles: $(echo $conffiles)"

# 1. heartbeat -> hb.
out=$(node_apt ha2 install "$hb_deb" 2>&1) || { echo "$out"; fail "apt-get install of hb failed on ha2"; }
echo "$out" | grep -A2 'REMOVED' | sed 's/^/    /'
echo "$out" | grep "continue heartbeat's generation" | sed 's/^/    /' ||
  fail "the install did not say it continues heartbeat's generation"
state=$(in_node ha2 dpkg-query -W -f '${db:Status-Abbrev}' heartbeat)
[ "$state" = "rc " ] || fail "heartbeat's state on ha2 is '$state', not removed with its conffiles kept (rc)"
for f in $conffiles; do in_node ha2 test -e "$f" || fail "heartbeat's conffile $f is gone"; done
[ "$(ha_d_sums)" = "$ha_d_before" ] || fail "/etc/ha.d on ha2 changed with the install of hb"
in_node ha2 systemctl is-active --quiet hb.target && fail "the install started hb.target on ha2"
page_names http://192.0.2.10/hostname.html ha1 || fail "ha1 stopped serving"
say "1. hb installed on ha2: heartbeat removed (rc, conffiles kept), /etc/ha.d unchanged, nothing started"

# 2. hb runs on ha2, a heartbeat peer hears it.
in_node ha2 systemctl enable --now hb.target >/dev/null 2>&1 || fail "systemctl enable --now hb.target failed on ha2"
wait_for 10 "ha2 (hb) sees ha1 (heartbeat) active" sh -c "'$RIG' exec ha2 cl_status nodestatus ha1 | grep -qx active"
wait_for 10 "ha1 (heartbeat) hears ha2 (hb) as active" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"
hb_gen=$(generation /var/lib/hb-linkd/hb_generation)
[ "$hb_gen" -gt "$heartbeat_gen" ] || fail "hb's generation $hb_gen on ha2 is not above heartbeat's $heartbeat_gen"
sleep_past deadtime 2
in_node ha1 cl_status nodestatus ha2 | grep -qx active || fail "ha1 stopped hearing ha2"
holds_nothing ha2 || fail "ha2 (hb) took something from ha1 (heartbeat): $(rig holders)"
page_names http://192.0.2.10/hostname.html ha1 || fail "ha1 stopped serving"
say "2. hb on ha2, generation $hb_gen (heartbeat's was $heartbeat_gen): heard by ha1's heartbeat, took nothing"

# 3. hb -> heartbeat.
out=$(node_apt ha2 install "$heartbeat_deb" 2>&1) || { echo "$out"; fail "apt-get install of heartbeat failed on ha2"; }
echo "$out" | grep -A2 'REMOVED' | sed 's/^/    /'
state=$(in_node ha2 dpkg-query -W -f '${db:Status-Abbrev}' hb)
[ "$state" = "rc " ] || fail "hb's state on ha2 is '$state', not removed (rc)"
[ "$(ha_d_sums)" = "$ha_d_before" ] || fail "/etc/ha.d on ha2 changed with the return to heartbeat"
in_node ha2 systemctl is-active --quiet hb-linkd.service && fail "hb-linkd still runs on ha2 after its removal"
# heartbeat's package starts heartbeat itself (invoke-rc.d); start it in case its policy did not.
in_node ha2 systemctl is-active --quiet heartbeat.service || in_node ha2 systemctl start heartbeat.service
wait_for 30 "ha1 hears ha2 (heartbeat again) as active" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"
back_gen=$(generation /var/lib/heartbeat/hb_generation)
[ "$back_gen" -gt "$hb_gen" ] || fail "heartbeat's generation $back_gen on ha2 is not above hb's $hb_gen"
sleep_past deadtime 2
in_node ha1 cl_status nodestatus ha2 | grep -qx active || fail "ha1 stopped hearing ha2"
holds_nothing ha2 || fail "ha2 took something: $(rig holders)"
page_names http://192.0.2.10/hostname.html ha1 || fail "ha1 stopped serving"
say "3. heartbeat again on ha2, generation $back_gen: hb removed (rc), /etc/ha.d unchanged, heard by ha1"
# heartbeat logs a packet whose generation went back as "attempted replay attack [NODE]".
if in_node ha1 journalctl -q _TRANSPORT=syslog --grep 'replay attack \[ha2\]' >/dev/null 2>&1; then
  fail "ha1's heartbeat took ha2's packets for replays: $(in_node ha1 journalctl -q _TRANSPORT=syslog --grep 'replay attack' | tail -2)"
fi
say "ha1's heartbeat never took ha2's packets for replays (journal)"

# 4. Purging hb removes its state, says the generation is lost, and leaves /etc/ha.d alone.
out=$(in_node ha2 dpkg --purge hb 2>&1) || { echo "$out"; fail "dpkg --purge hb failed on ha2"; }
echo "$out" | grep '^hb:' | sed 's/^/    /'
echo "$out" | grep -q "generation is lost" || fail "the purge did not warn that the generation is lost"
for d in /var/lib/hb-linkd /var/lib/hb; do
  if in_node ha2 test -e "$d"; then fail "$d is still there after the purge"; fi
done
[ "$(ha_d_sums)" = "$ha_d_before" ] || fail "/etc/ha.d on ha2 changed with the purge of hb"
[ -z "$(in_node ha2 dpkg-query -W -f '${db:Status-Abbrev}' hb 2>/dev/null)" ] ||
  [ "$(in_node ha2 dpkg-query -W -f '${db:Status-Abbrev}' hb 2>/dev/null)" = "pn " ] || fail "hb is not purged"
in_node ha1 cl_status nodestatus ha2 | grep -qx active || fail "ha1 stopped hearing ha2 (heartbeat) after the purge of hb"
say "4. hb purged on ha2: its state gone with a warning, /etc/ha.d unchanged, heartbeat runs on"
say "PASS: switch from heartbeat to hb and back"
