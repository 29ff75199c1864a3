#!/usr/bin/env bash
# An upgrade of the package on a serving pair hands nothing over: the package rebuilt with a
# bumped version (the same files, a new Version, as a new upload would be) is installed with
# apt-get on ha1, which serves the site, then on ha2, while a client GETs the site every 20 ms.
# No request may fail, no request may be served by ha2, and no hb daemon may be restarted (each
# keeps its InvocationID): the maintainer scripts restart nothing (debian/rules). Then the
# README's step that puts the new binaries to work, one node at a time, the standby first:
# restarting ha2's hb.target moves nothing; restarting ha1's hands the site to ha2 and back
# (auto_failback), counted and shown, never two holders.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
need_package

version=$(dpkg-deb -f "$DEB" Version)
bumped=$version.1
REPACK=$(mktemp -d /tmp/hb-package-upgrade.XXXXXX)
trap 'rc=$?; rm -rf "$REPACK"; finish $rc' EXIT
dpkg-deb -R "$DEB" "$REPACK/tree"
sed -i "s/^Version: .*/Version: $bumped/" "$REPACK/tree/DEBIAN/control"
dpkg-deb -b "$REPACK/tree" "$REPACK/hb_${bumped}.deb" >/dev/null
dpkg --compare-versions "$bumped" gt "$version" || fail "$bumped is not above $version"
say "repacked $(basename "$DEB") as version $bumped"

rig_up --deb "$DEB" --serial
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
wait_for 10 "ha1 sees ha2 up" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"
start_sampler

daemons=(hb-linkd hb-membershipd hb-resourced hb-statusd hb-log ipfaild)
invocations() { # NODE: each daemon's InvocationID (a new one at every start of the unit)
  local d
  for d in "${daemons[@]}"; do
    echo "$d $(in_node "$1" systemctl show -p InvocationID --value "$d.service")"
  done
}
for node in ha1 ha2; do
  invocations "$node" >"$REPACK/before.$node"
  put_in_node "$node" "$REPACK/hb_${bumped}.deb" "/root/hb_${bumped}.deb"
done

start_poller
sleep 0.5 # a few answers before the upgrade starts
for node in ha1 ha2; do
  t=$(date +%s.%N)
  node_apt "$node" install "/root/hb_${bumped}.deb" >"$REPACK/apt.$node" 2>&1 ||
    { cat "$REPACK/apt.$node"; fail "apt-get install of $bumped failed on $node"; }
  say "apt-get install of $bumped on $node took $(secs_since "$t") s"
done
sleep 0.5
stop_poller
failed=$(poll_count -)
by_ha2=$(poll_count ha2)
say "client: $(poll_total) requests during the upgrade, $failed failed, $by_ha2 served by ha2"

for node in ha1 ha2; do
  got=$(in_node "$node" dpkg-query -W -f '${Version}' hb)
  [ "$got" = "$bumped" ] || fail "$node runs package version '$got' after the upgrade"
  invocations "$node" >"$REPACK/after.$node"
  diff -u "$REPACK/before.$node" "$REPACK/after.$node" >/dev/null ||
    fail "$node: the upgrade restarted a daemon: $(diff "$REPACK/before.$node" "$REPACK/after.$node" | grep '^>' | tr '\n' ' ')"
done
[ "$failed" = 0 ] || fail "$failed requests failed during the upgrade"
[ "$by_ha2" = 0 ] || fail "ha2 served $by_ha2 requests: the upgrade handed the site over"
[ "$(rig group ha1)" = "ha1 running" ] || fail "ha1's group is '$(rig group ha1)' after the upgrade"
say "upgrade to $bumped on both nodes: 0 failed requests, nothing handed over, no daemon restarted"

# The new binaries go to work one node at a time, the standby first.
start_poller
in_node ha2 systemctl restart hb.target || fail "restart of hb.target on ha2 failed"
wait_for 10 "ha1 sees ha2 up again after its restart" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"
sleep_past deadtime 1
stop_poller
[ "$(poll_count -)" = 0 ] && [ "$(poll_count ha2)" = 0 ] ||
  fail "restarting the standby's hb.target disturbed the site: $(poll_count -) failed, $(poll_count ha2) by ha2"
say "restart of ha2 (the standby): $(poll_total) requests, 0 failed, nothing moved"

start_poller
in_node ha1 systemctl restart hb.target || fail "restart of hb.target on ha1 failed"
wait_for 15 "ha1 serves the site again after its restart (auto_failback)" page_names http://192.0.2.10/hostname.html ha1
sleep 0.5
stop_poller
say "restart of ha1 (the active node): $(poll_total) requests, $(poll_count -) failed, $(poll_count ha2) served by ha2 meanwhile (a clean hand-over and failback)"
[ "$(poll_count ha2)" -gt 0 ] || say "note: ha2 answered no request while ha1 restarted"
say "PASS: package upgrade on a serving pair"
