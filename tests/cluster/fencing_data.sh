#!/usr/bin/env bash
# No acknowledged write is lost, and the shared file system stays sound, through ten partition and
# power-loss cycles. A client appends numbered records to the shared disk through the group: a CGI
# script on the node that holds the cluster IP appends the number to /ha/records and fsyncs it
# before it answers "ok N"; the client counts N as acknowledged only then. Cycles alternate a
# partition of every heartbeat medium (the holder fences the standby) and a power loss of the
# holder (the standby fences it, a reset that boots it again, and one of them serves); each
# fenced node boots again and rejoins. At the
# end every acknowledged record is in /ha/records and `e2fsck -fn` of the image finds nothing.
# HB_DATA_FENCING=off runs the same without fence devices: then both nodes mount the disk during
# each partition, and this test is expected to catch the damage (it fails).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs
CYCLES=${HB_DATA_CYCLES:-10}
DATA_FENCING=${HB_DATA_FENCING:-on}  # not FENCING: `rig info` sets that

rig_up --fencing ipmi --hb manual
[ "$DATA_FENCING" = on ] && configure_fencing
for n in ha1 ha2; do
  in_node "$n" sh -c 'a2enmod -q cgid >/dev/null && mkdir -p /usr/lib/cgi-bin && cat > /usr/lib/cgi-bin/append <<"EOS"
#!/usr/bin/python3
# Appends the record number in the query string to /ha/records; answers only once it is on disk,
# and only on the shared disk (not into the empty mount point of a node that does not hold it).
import os
n = os.environ.get("QUERY_STRING", "")
if not n.isdigit():
    print("Status: 400\nContent-Type: text/plain\n\nbad record")
elif not os.path.ismount("/ha"):
    print("Status: 503\nContent-Type: text/plain\n\nthe shared disk is not mounted here")
else:
    fd = os.open("/ha/records", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    os.write(fd, (n + "\n").encode())
    os.fsync(fd)
    os.close(fd)
    print("Content-Type: text/plain\n\nok " + n)
EOS
chmod 755 /usr/lib/cgi-bin/append' || fail "could not install the CGI script on $n"
  in_node "$n" systemctl enable --quiet hb.target
done
start_sampler
in_node ha1 systemctl start hb.target || fail "hb.target did not start on ha1"
in_node ha2 systemctl start hb.target || fail "hb.target did not start on ha2"
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
in_node ha1 sh -c 'touch /ha/records && chmod 666 /ha/records'

# The client: numbered appends, one after the other, each acknowledged or not.
# It stops when the STOP file appears (it runs in the client's namespace, beyond a kill of the
# rig command that started it).
ACKED=$(mktemp /tmp/hb-data-acked.XXXXXX)
STOP=$ACKED.stop
client sh -c 'i=0; while [ ! -e '"$STOP"' ]; do i=$((i + 1))
  r=$(curl -fsS --max-time 2 "http://192.0.2.10/cgi-bin/append?$i" 2>/dev/null) &&
  [ "$r" = "ok $i" ] && echo "$i" >> '"$ACKED"'; done' &
WRITER=$!
cleanup_writer() {
  [ -n "${WRITER:-}" ] || return 0
  touch "$STOP"
  wait "$WRITER" 2>/dev/null || true
  rm -f "$STOP"
  WRITER=""
}
trap 'rc=$?; cleanup_writer; rm -f "$ACKED"; finish $rc' EXIT
acked() { wc -l <"$ACKED"; }
wait_for 10 "the first records are acknowledged" sh -c "[ \$(wc -l < $ACKED) -ge 5 ]"

fence_count() { (in_node "$1" journalctl -q -u hb-resourced.service --grep "node $2 fenced" || true) | wc -l; } # NODE TARGET
serves_any() { page_names http://192.0.2.10/hostname.html ha1 || page_names http://192.0.2.10/hostname.html ha2; }
holder() { if holds_ip ha1; then echo ha1; elif holds_ip ha2; then echo ha2; fi; }
other() { [ "$1" = ha1 ] && echo ha2 || echo ha1; }
for c in $(seq 1 "$CYCLES"); do
  h=$(holder)
  [ -n "$h" ] || fail "cycle $c: nobody holds the group"
  o=$(other "$h")
  before=$(acked)
  if [ $((c % 2)) = 1 ]; then
    say "cycle $c: partition ($h holds the group, $before records acknowledged)"
    fences=$(fence_count "$h" "$o")
    rig cut "$h" udp
    [ "$DATA_FENCING" = on ] && wait_for 20 "cycle $c: $h fenced $o" sh -c \
      "[ \$('$RIG' exec $h journalctl -q -u hb-resourced.service --grep 'node $o fenced' | wc -l) -gt $fences ]"
    [ "$DATA_FENCING" = on ] || sleep_past deadtime 3
    sleep 2
    rig restore "$h" udp
  else
    say "cycle $c: power loss of $h ($before records acknowledged)"
    rig poweroff "$h"
    # $o fences $h (a reset: it boots again) and takes the group over, or $h, back first and
    # the group's preferred node, takes it again.
    wait_for 30 "cycle $c: the site is served again" serves_any
    [ "$DATA_FENCING" = on ] || rig boot "$h"
  fi
  wait_for 40 "cycle $c: both nodes up, one standby of the other" sh -c \
    "'$RIG' group ha1 | grep -q ' running\$' && '$RIG' group ha2 | grep -q ' running\$'"
  wait_for 10 "cycle $c: records are acknowledged again" sh -c "[ \$(wc -l < $ACKED) -gt $before ]"
done
cleanup_writer
total=$(acked)
h=$(holder)
missing=$(in_node "$h" cat /ha/records | sort -u | comm -13 - <(sort -u "$ACKED") | wc -l)
say "$total records acknowledged; $missing of them missing from /ha/records on $h"
stop_sampler || fail "two holders at once"
for n in ha1 ha2; do in_node "$n" systemctl stop hb.target || true; done
wait_for 20 "nobody has /ha mounted" sh -c "! '$RIG' holders | grep -q mount=yes"
. <("$RIG" info)
fsck_out=$(e2fsck -fn "$DISK_IMAGE" 2>&1) && fsck_rc=0 || fsck_rc=$?
say "e2fsck -fn: exit $fsck_rc; $(echo "$fsck_out" | tail -1)"
rm -f "$ACKED"
[ "$missing" = 0 ] || fail "$missing acknowledged records were lost"
[ "$fsck_rc" = 0 ] || fail "the file system is damaged: $(echo "$fsck_out" | head -5 | tr '\n' ' ')"
say "PASS: $total acknowledged records through $CYCLES partition/fence cycles, none lost, e2fsck clean"
