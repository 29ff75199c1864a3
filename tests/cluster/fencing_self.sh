#!/usr/bin/env bash
# A node that cannot let go fences itself. ha1 serves a group whose last resource is a heartbeat
# resource script that will not stop there (its `stop` fails on ha1); IPMI fence devices are
# configured. When
# ha1 hands the group over (hbctl standby), the script's stop fails: instead of keeping the group
# against its peer or handing it over with the data still in use, ha1 reboots at once (a
# self-fence). ha2 declares it dead and fences it (its BMC's reset, which boots it again); the
# group starts again on one node (ha2, or ha1 back first, its preferred node) and ends on ha1.
# At every 20 ms sample at most one node holds the cluster IP or has /ha mounted.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
private_runs

rig_up --fencing ipmi --hb manual
configure_fencing
for n in ha1 ha2; do
  in_node "$n" sh -c 'mkdir -p /etc/ha.d/resource.d && cat > /etc/ha.d/resource.d/Sticky <<"EOS"
#!/bin/sh
# The test'"'"'s resource: start and status work; stop fails where the marker file is.
case "$1" in
  start) touch /run/sticky ;;
  stop) if [ -e /etc/ha.d/sticky-will-not-stop ]; then echo "Sticky: cannot stop"; exit 1; fi
        rm -f /run/sticky ;;
  status) if [ -e /run/sticky ]; then echo running; else echo stopped; exit 3; fi ;;
esac
EOS
chmod 755 /etc/ha.d/resource.d/Sticky && sed -i "s/\$/ Sticky/" /etc/ha.d/haresources' ||
    fail "could not add the Sticky resource on $n"
  in_node "$n" systemctl enable --quiet hb.target
done
in_node ha1 touch /etc/ha.d/sticky-will-not-stop
say "haresources: $(in_node ha1 cat /etc/ha.d/haresources)"
start_sampler
in_node ha1 systemctl start hb.target || fail "hb.target did not start on ha1"
in_node ha2 systemctl start hb.target || fail "hb.target did not start on ha2"
wait_for 10 "ha1 serves the site" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "ha2 is ha1's standby" sh -c "'$RIG' group ha2 | grep -q '^ha1 running'"

t=$(date +%s.%N)
in_node ha1 hbctl standby >/dev/null || fail "hbctl standby failed on ha1"
# The runner retries a failing stop every second, 10 times (heartbeat's), before it gives up.
wait_for 30 "ha1 fenced itself (its stop of Sticky failed, retried 10 times)" powered_off ha1
say "standby -> ha1 off: $(secs_since "$t") s"
wait_for 20 "ha2 fenced ha1" resourced_logged ha2 "node ha1 fenced"
resourced_logged ha2 "fencing node ha1" || fail "ha2 took over without fencing ha1"
# The fence's reset boots ha1 again. ha2 starts the group, or ha1, back first and the group's
# preferred node, takes it again: either way the site is served once more, by one node.
serves_any() { page_names http://192.0.2.10/hostname.html ha1 || page_names http://192.0.2.10/hostname.html ha2; }
wait_for 15 "the site is served again" serves_any
say "standby -> first page again: $(secs_since "$t") s"
wait_for 30 "ha1 serves the site again" page_names http://192.0.2.10/hostname.html ha1
wait_for 5 "ha2 is ha1's standby" sh -c "'$RIG' group ha2 | grep -q '^ha1 running'"
powered_on ha2 || fail "ha2 was fenced"
stop_sampler || fail "two holders at once"
say "PASS: ha1 could not let go, fenced itself, and ha2 took over after fencing it"
