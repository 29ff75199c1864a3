#!/usr/bin/env bash
# Resources that fail, as a user sees it through the cluster IP:
#   1. Apache dies on the active node (SIGKILL): hb-resourced starts it once more there and the
#      site comes back from ha1;
#   2. it dies again: the group moves to ha2 (a hand-over), which serves the site;
#   3. the admin looks (`hbctl status`) and moves the group back (`hbctl move`); an unknown group
#      or an unprivileged user is refused;
#   4. a process keeps /ha busy on ha1 and a file is written to the shared disk there; hb stops on
#      ha1: the unmount fails, hb-resourced kills what holds /ha and unmounts, ha2 takes the group
#      and serves the file written on ha1 (nothing on the shared disk is lost).
# A sampler checks every 20 ms that no two nodes hold the IP or /ha at once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"

serving_cluster "resource failure scenario"

apache_pid() { in_node "$1" systemctl show -P MainPID apache2.service; }
journal_has() { in_node "$1" journalctl -q -u hb-resourced.service --grep "$2" >/dev/null; }

# 1. First failure: restarted in place.
before=$(apache_pid ha1)
t=$(date +%s.%N)
rig kill-apache ha1
wait_for 5 "1. hb-resourced restarted Apache on ha1" \
  sh -c "p=\$($RIG exec ha1 systemctl show -P MainPID apache2.service); [ \"\$p\" != 0 ] && [ \"\$p\" != $before ]"
wait_for 5 "1. ha1 serves the site again" page_names http://192.0.2.10/hostname.html ha1
journal_has ha1 "stopped behind hb's back; starting it once more" ||
  fail "ha1's journal does not say Apache was restarted"
holds_nothing ha2 || fail "ha2 took a resource after the first Apache failure: $(rig holders)"
say "1. Apache killed once: restarted on ha1, site back after $(secs_since "$t") s"

# 2. Second failure: the group moves.
t=$(date +%s.%N)
rig kill-apache ha1
wait_for 10 "2. ha2 serves the site after Apache failed again on ha1" \
  page_names http://192.0.2.10/hostname.html ha2
wait_for 5 "2. ha1 released everything" holds_nothing ha1
apache_inactive ha1 || fail "Apache runs on ha1 after the group moved"
journal_has ha1 "failed again.*; moving it to ha2" || fail "ha1's journal does not say why the group moved"
# auto_failback on must not bounce it back: ha1 was up when ha2 took it.
sleep_past deadtime 1.5
page_names http://192.0.2.10/hostname.html ha2 || fail "the group did not stay on ha2"
say "2. Apache killed again: group on ha2 after $(secs_since "$t") s, and it stays there"

# 3. hbctl: status shows where the group runs; move brings it back.
owner=$(in_node ha1 hbctl status --json | python3 -c 'import json,sys; g=json.load(sys.stdin)["groups"][0]; print(g["owner"], g["state"])')
[ "$owner" = "ha2 running" ] || fail "hbctl status on ha1 says the group is '$owner', not 'ha2 running'"
in_node ha2 hbctl move 192.0.2.99 ha1 >/dev/null 2>&1 && fail "hbctl move of an unknown group succeeded"
rc=0
in_node ha2 setpriv --reuid=65534 --regid=65534 --clear-groups hbctl move 192.0.2.10 ha1 >/dev/null 2>&1 || rc=$?
[ $rc = 4 ] || fail "hbctl move by an unprivileged user: exit $rc, not 4 (refused by the bus policy)"
t=$(date +%s.%N)
in_node ha2 hbctl move 192.0.2.10 ha1 >/dev/null
wait_for 10 "3. ha1 serves the site after hbctl move 192.0.2.10 ha1" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "3. ha2 released everything" holds_nothing ha2
say "3. hbctl status named ha2; hbctl move brought the group to ha1 in $(secs_since "$t") s"

# 4. A busy /ha on ha1, data written there, then hb stops on ha1.
token="written on ha1 at $(date +%s.%N)"
in_node ha1 sh -c "echo '$token' > /ha/www/html/probe.txt && sync"
# cd at run time, like an admin's shell: with WorkingDirectory=/ha systemd would know the unit
# needs /ha and stop it first by itself.
in_node ha1 systemd-run --quiet --unit=hb-test-busy-ha /bin/sh -c 'cd /ha && exec /bin/sleep 600'
wait_for 5 "4. a process on ha1 keeps /ha busy" in_node ha1 systemctl is-active --quiet hb-test-busy-ha.service
t=$(date +%s.%N)
rig hb-stop ha1
wait_for 15 "4. ha2 serves the site after hb stop on a busy ha1" page_names http://192.0.2.10/hostname.html ha2
[ "$(get http://192.0.2.10/probe.txt)" = "$token" ] || fail "the file written on ha1 is not served by ha2"
holds_nothing ha1 || fail "ha1 still holds a resource: $(rig holders)"
in_node ha1 systemctl is-active --quiet hb-test-busy-ha.service && fail "what kept /ha busy on ha1 still runs"
journal_has ha1 "killing the processes that keep /ha busy" || fail "ha1's journal does not say it freed /ha"
say "4. busy /ha on ha1 freed and unmounted; ha2 serves the data written on ha1 ($(secs_since "$t") s)"
say "PASS: failed resources are restarted once, then moved; hbctl moves a group; a busy mount does not stop a hand-over"
