#!/usr/bin/env bash
# The stop of a network file system whose server is gone stays bounded. This kernel has no NFS
# client, so a FUSE file system stands in for a hard NFS mount: fuse2fs serves the shared disk at
# /ha (haresources `ha1 192.0.2.10 Filesystem::/dev/sdb::/ha::fuse.fuse2fs::rw`, no Apache: a
# product blocked on the dead mount is the resource script tests' matter), and its daemon stopped
# with SIGSTOP makes every read of /ha hang, as a dead NFS server does. With hb.conf's
# stop_timeout at 5 s and a program's read of /ha left hanging, `systemctl stop hb.target` on ha1
# then ends: the unmount fails (busy with the hung read; with nothing open a FUSE unmount does not
# wait for its daemon and simply succeeds), and instead of fuser, which would hang on the mount
# itself, hb-resourced forces and detaches it (umount -f -l, its journal says so), releases the
# address, and ha2 takes the group over. A sampler checks every 20 ms that the IP and /ha are
# never held twice.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
[ -c /dev/fuse ] || skip "no /dev/fuse on this host"

rig_up --serial --hb manual --packages fuse2fs,fuse3
for node in ha1 ha2; do
  in_node "$node" sh -c "echo 'ha1 192.0.2.10 Filesystem::/dev/sdb::/ha::fuse.fuse2fs::rw' > /etc/ha.d/haresources &&
    printf '[resources]\nstop_timeout = 5s\n' >> /etc/ha.d/hb.conf && chmod 644 /etc/ha.d/hb.conf"
done
rig hb-start ha1
wait_for 15 "ha1 holds the address and the FUSE mount" sh -c "'$RIG' holders | grep -q '^ha1 up ip=yes mount=yes'"
in_node ha1 grep -q ' /ha fuse' /proc/mounts || fail "/ha on ha1 is not a FUSE mount: $(in_node ha1 grep ' /ha ' /proc/mounts)"
rig hb-start ha2
wait_for 10 "ha1 sees ha2 up" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"
start_sampler

# The server goes away.
daemon=$(in_node ha1 pgrep -x fuse2fs) || fail "no fuse2fs daemon on ha1"
in_node ha1 kill -STOP "$daemon"
# A program reading the shared disk, as a product would be: its read now waits on the server.
in_node ha1 systemd-run -q --unit=hung-reader --collect cat /ha/www/html/index.html
sleep 1
[ "$(in_node ha1 systemctl is-active hung-reader.service)" = active ] || fail "the read of /ha did not hang"
say "fuse2fs (pid $daemon in ha1) stopped: a read of /ha hangs, as on a hard NFS mount whose server died"

t=$(date +%s.%N)
in_node ha1 timeout 60 systemctl stop hb.target || fail "systemctl stop hb.target on ha1 did not end within 60 s"
stop_s=$(secs_since "$t")
say "systemctl stop hb.target on ha1 returned after $stop_s s"
wait_for 15 "ha2 holds the address and has mounted /ha" sh -c "'$RIG' holders | grep -q '^ha2 up ip=yes mount=yes'"
in_node ha2 grep -q 'High Availability' /ha/www/html/index.html || fail "ha2 cannot read the shared disk"
resourced_logged ha1 'forcing the unmount of /ha' || fail "ha1's hb-resourced did not say it forced the unmount"
in_node ha1 grep -q ' /ha ' /proc/mounts && fail "/ha is still mounted on ha1"
holds_nothing ha1 || fail "ha1 still holds something: $(rig holders)"
say "ha1 forced the unmount ($(in_node ha1 journalctl -q -u hb-resourced.service --grep 'by force' | tail -1 | sed 's/.*: //')); ha2 took over, $(secs_since "$t") s after the stop began"
say "PASS: a network mount whose server is gone stops within stop_timeout"
