#!/usr/bin/env bash
# The package on fresh nodes, as the README's install path has it: `apt install ./hb_….deb`
# (here into the nodes' package layer, as apt-get in a chroot runs the maintainer scripts) makes
# heartbeat's hacluster user and haclient group and hb's own daemon users, installs the units, man
# pages and journal catalog, and enables and starts nothing: hb.target stays disabled, no daemon
# runs, no address is taken. Then the admin's own step, `systemctl enable --now hb.target` on each
# node with /etc/ha.d in place: ha1 serves the site, ha2 stands by, and hb.target comes back by
# itself after a reboot of ha2.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
need_package

rig_up --deb "$DEB" --hb manual --serial
start_sampler
version=$(dpkg-deb -f "$DEB" Version)
for node in ha1 ha2; do
  got=$(in_node "$node" dpkg-query -W -f '${Version} ${db:Status-Abbrev}' hb) || fail "hb is not installed on $node"
  [ "$got" = "$version ii " ] || fail "$node: dpkg says '$got', expected '$version ii '"
  for u in hacluster hb-linkd hb-membershipd hb-statusd; do
    in_node "$node" getent passwd "$u" >/dev/null || fail "$node: no user $u after the install"
  done
  in_node "$node" getent group haclient >/dev/null || fail "$node: no group haclient"
  [ "$(in_node "$node" id -gn hacluster)" = haclient ] || fail "$node: hacluster's group is not haclient"
  state=$(in_node "$node" systemctl is-enabled hb.target || true)
  [ "$state" = disabled ] || fail "$node: hb.target is '$state' after the install, not disabled"
  for unit in hb.target hb-linkd.service hb-membershipd.service hb-resourced.service hb-statusd.service; do
    if in_node "$node" systemctl is-active --quiet "$unit"; then fail "$node: $unit runs after the install"; fi
  done
  holds_nothing "$node" || fail "$node holds something after the install: $(rig holders)"
done
say "installed $version on both nodes: users hacluster (group haclient), hb-linkd, hb-membershipd, hb-statusd; hb.target disabled, nothing running, nothing held"

in_node ha1 dpkg -S /etc/ha.d/ha.cf >/dev/null 2>&1 && fail "a package owns /etc/ha.d/ha.cf"
for page in hb.7 ha.cf.5 hb.conf.5 authkeys.5 haresources.5 hbctl.8 cl_status.1 hb-linkd.8; do
  path=$(in_node ha1 man -w "${page%.*}" 2>/dev/null | head -1) || true
  case $path in /usr/share/man/*/"$page".gz) ;; *) fail "man -w ${page%.*} gives '$path'" ;; esac
done
in_node ha1 sh -c 'man ha.cf 2>/dev/null | grep -q deadtime' || fail "man ha.cf does not render"
say "man pages: hb(7), ha.cf(5), hb.conf(5), authkeys(5), haresources(5), hbctl(8), cl_status(1), hb-linkd(8)"
# A MESSAGE_ID of hb's journal catalog (units/catalog/hb.catalog), known to journalctl -x.
id=$(sed -n 's/^-- \([0-9a-f]\{32\}\)$/\1/p' "$SRC_DIR/units/catalog/hb.catalog" | head -1)
in_node ha1 journalctl --list-catalog "$id" 2>/dev/null | grep -q "$id" || fail "journalctl does not know hb's catalog entry $id"
say "journal catalog installed (journalctl --list-catalog $id)"

# The admin's step: enable and start, ha1 first.
in_node ha1 systemctl enable --now hb.target >/dev/null 2>&1 || fail "systemctl enable --now hb.target failed on ha1"
wait_for 10 "ha1 serves the site after 'systemctl enable --now hb.target'" page_names http://192.0.2.10/hostname.html ha1
in_node ha2 systemctl enable --now hb.target >/dev/null 2>&1 || fail "systemctl enable --now hb.target failed on ha2"
in_node ha2 systemctl is-active --quiet hb.target || fail "hb.target did not start on ha2"
wait_for 10 "ha1 sees ha2 up" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"
holds_nothing ha2 || fail "ha2 took something: $(rig holders)"
[ "$(rig group ha2)" = "ha1 running" ] || fail "ha2's hb-resourced says the group is '$(rig group ha2)'"
say "ha1 serves, ha2 stands by and sees the group running on ha1"

# Enabled means started at boot: ha2 goes down and comes back with hb running.
rig poweroff ha2
rig boot ha2
wait_for 20 "ha2's hb.target is active again after its reboot" in_node ha2 systemctl is-active --quiet hb.target
wait_for 10 "ha1 sees ha2 up again" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"
page_names http://192.0.2.10/hostname.html ha1 || fail "ha1 stopped serving when ha2 rebooted"
say "PASS: package install on fresh nodes"
