#!/usr/bin/env bash
# The rig's fence device works as a real one: from ha1, ipmitool over the management network
# powers ha2 off (its init is gone when the command returns) and on (it boots again); a partition
# of the cluster LANs leaves the fence path up; bmc-cut makes the BMC unreachable and bmc-restore
# brings it back; each node has its own loop devices for /dev/sdb and /dev/sdc.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

rig_up --fencing ipmi --hb off
ipmi() { # NODE ARGS...: ipmitool from NODE to ha2's BMC
  local from=$1
  shift
  in_node "$from" ipmitool -I lanplus -C 3 -H "$BMC_ha2" -U "$BMC_USER" -P "$BMC_PASSWORD" "$@"
}
power_is() { [ "$(ipmi ha1 chassis power status 2>/dev/null)" = "Chassis Power is $1" ]; }
running() { [ "$(in_node ha2 systemctl is-system-running 2>/dev/null)" = running ]; }
init_of() { cat "$(rig state-dir)/nodes/$1/init.pid"; }

power_is on || fail "ha2's BMC does not say the power is on: $(ipmi ha1 chassis power status 2>&1)"

# The fence path survives a partition of every cluster medium.
rig cut ha1 eth0
rig cut ha1 udp
power_is on || fail "ha2's BMC unreachable from ha1 while the cluster LAN is cut"
rig restore ha1 eth0
rig restore ha1 udp

old=$(init_of ha2)
ipmi ha1 chassis power off >/dev/null || fail "power off through the BMC failed"
[ ! -d "/proc/$old" ] || fail "ha2's init $old still runs after the BMC's power off returned"
power_is off || fail "ha2's BMC does not say off after the power off"
say "BMC power off: ha2 is dead"

t=$(date +%s.%N)
ipmi ha1 chassis power on >/dev/null || fail "power on through the BMC failed"
wait_for 30 "BMC power on: ha2 booted" running
[ "$(init_of ha2)" != "$old" ] || fail "ha2 runs the same init after a power cycle"
say "power on to running: $(secs_since "$t") s"

rig bmc-cut ha2
if ipmi ha1 -N 1 -R 1 chassis power status >/dev/null 2>&1; then fail "bmc-cut ha2: the BMC still answers"; fi
running || fail "bmc-cut ha2 touched ha2 itself"
rig bmc-restore ha2
power_is on || fail "bmc-restore ha2: the BMC does not answer again"
say "bmc-cut / bmc-restore ok"

# Two machines on one disk: a loop device of each node's own over each shared image.
for dev in /dev/sdb /dev/sdc; do
  a=$(in_node ha1 stat -c %t:%T "$dev") || fail "ha1 has no $dev"
  b=$(in_node ha2 stat -c %t:%T "$dev") || fail "ha2 has no $dev"
  [ "$a" != "$b" ] || fail "ha1 and ha2 share one loop device for $dev ($a)"
done
say "per-node loop devices for /dev/sdb and /dev/sdc ok"
