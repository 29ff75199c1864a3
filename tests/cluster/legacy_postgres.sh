#!/usr/bin/env bash
# A product started the way the series' later parts start theirs (WebSphere MQ, DB2,
# LoadLeveler): a heartbeat resource script in /etc/ha.d/resource.d that runs it as its own user
# through `su - USER -c …`. PostgreSQL stands in for DB2: its data directory on the shared disk,
# postgresql.service masked in the nodes, so only the script starts it; systemd-logind runs in the
# nodes, so pam_systemd would move what su starts into a login session of its own. The group
# also holds one of heartbeat's own resource.d wrappers, taken from Debian's heartbeat package
# (the nodes' package layer) and run unchanged: SendArp, which calls resource-agents' OCF agent.
#   1. ha1 takes the group (IP, SendArp, /ha, legacydb); every PostgreSQL process stays in the
#      resource's unit (none escaped into a logind session), so stopping the unit stops the
#      product; heartbeat's SendArp wrapper ran and its unit is active;
#   2. a client inserts numbered rows through the cluster IP, each committed, until ha1 loses
#      power; ha2 takes over and every committed row is selected there;
#   3. ha1 comes back and the group returns (auto_failback): every row again.
# A sampler checks every 20 ms that the IP and /ha are never held twice.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_test "${1:-}"
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || skip "PostgreSQL 15 is not installed (scripts/ensure-deps.sh rig)"
command -v psql >/dev/null || skip "psql is not installed (scripts/ensure-deps.sh rig)"

WORK=$(mktemp -d /tmp/hb-legacy-postgres.XXXXXX)
INSERTER_PID=""
cleanup() {
  local rc=$1
  [ -z "$INSERTER_PID" ] || { kill "$INSERTER_PID" 2>/dev/null || true; wait "$INSERTER_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
  finish "$rc"
}
trap 'cleanup $?' EXIT

UNIT='hb-resource-legacydb.service'
PGBIN=/usr/lib/postgresql/15/bin

# The resource script, as an admin of the series writes one: start, stop, status (heartbeat's
# contract: "running" / "not running", stop of a stopped product succeeds).
cat >"$WORK/legacydb" <<SCRIPT
#!/bin/sh
# legacydb: PostgreSQL on the shared disk (/ha/pgdata), run as postgres, for heartbeat.
PGDATA=/ha/pgdata
running() { su - postgres -c "$PGBIN/pg_ctl -D \$PGDATA status" >/dev/null 2>&1; }
case "\$1" in
  start) su - postgres -c "$PGBIN/pg_ctl -D \$PGDATA -l \$PGDATA/server.log -w -t 60 start" ;;
  stop) running || exit 0
        su - postgres -c "$PGBIN/pg_ctl -D \$PGDATA -m fast -w -t 60 stop" ;;
  status) if running; then echo "legacydb is running"; else echo "legacydb is not running"; exit 3; fi ;;
  *) echo "usage: \$0 start|stop|status" >&2; exit 2 ;;
esac
SCRIPT

# heartbeat's package (and kmod, which its agents call) only for its resource.d wrappers: the
# nodes run hb, heartbeat's own units stay disabled.
rig_up --serial --hb manual --disk-size 256M --packages heartbeat,kmod
SENDARP_UNIT='hb-resource-SendArp::192.0.2.10-eth0.service'
in_node ha1 test -x /etc/ha.d/resource.d/SendArp || fail "heartbeat's SendArp wrapper is not in the nodes"
for node in ha1 ha2; do
  put() { in_node "$node" sh -c "cat > '$2' && chmod $3 '$2'" <"$1"; }
  in_node "$node" mkdir -p /etc/ha.d/resource.d
  put "$WORK/legacydb" /etc/ha.d/resource.d/legacydb 755
  in_node "$node" sh -c "echo 'ha1 192.0.2.10 SendArp::192.0.2.10/eth0 Filesystem::/dev/sdb::/ha::ext4::rw legacydb' > /etc/ha.d/haresources"
  # logind runs, as on any Debian server: su's pam_systemd asks it for a session.
  in_node "$node" systemctl start systemd-logind.service || fail "systemd-logind does not start on $node"
done

# The database, made once on the shared disk (mounted by hand on ha1 before hb runs; setpriv, not
# su, so that this step opens no login session of its own).
in_node ha1 sh -c "mkdir -p /mnt/shared && mount /dev/sdb /mnt/shared &&
  install -d -o postgres -g postgres -m 700 /mnt/shared/pgdata &&
  setpriv --reuid=postgres --regid=postgres --init-groups $PGBIN/initdb -D /mnt/shared/pgdata -A trust &&
  echo \"listen_addresses = '*'\" >> /mnt/shared/pgdata/postgresql.conf &&
  echo \"unix_socket_directories = '/tmp'\" >> /mnt/shared/pgdata/postgresql.conf &&
  echo 'host all all 192.0.2.0/24 trust' >> /mnt/shared/pgdata/pg_hba.conf &&
  umount /mnt/shared" >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log"; fail "initdb on the shared disk failed"; }
say "PostgreSQL 15 cluster made on the shared disk"

start_sampler
rig hb-start ha1
sql() { rig client env PGCONNECT_TIMEOUT=1 psql -X -q -t -A -h 192.0.2.10 -U postgres -d postgres -c "$1"; }
wait_for 60 "ha1 serves PostgreSQL through 192.0.2.10" sql 'select 1'
rig hb-start ha2
wait_for 10 "ha1 sees ha2 up" sh -c "'$RIG' exec ha1 cl_status nodestatus ha2 | grep -qx active"
sleep_past deadtime 1
holds_nothing ha2 || fail "ha2 took something: $(rig holders)"

# 1. Every PostgreSQL process is in the resource's unit.
in_node ha1 systemctl is-active --quiet systemd-logind.service || fail "systemd-logind is not running on ha1"
escaped=$(in_node ha1 sh -c "for p in \$(pgrep -u postgres -x postgres); do
  cg=\$(sed -n 's/^0:://p' /proc/\$p/cgroup); case \$cg in */$UNIT) ;; *) echo \"\$p \$cg\" ;; esac; done")
[ -z "$escaped" ] || fail "PostgreSQL processes outside $UNIT (pid cgroup): $(echo "$escaped" | head -3 | tr '\n' ';') sessions: $(in_node ha1 loginctl list-sessions --no-legend | tr '\n' ';')"
say "1. ha1 runs PostgreSQL: $(in_node ha1 pgrep -u postgres -x postgres | wc -l) processes, all in $UNIT, none in a login session"
in_node ha1 systemctl is-active --quiet "$SENDARP_UNIT" || fail "heartbeat's SendArp wrapper did not start on ha1"
in_node ha1 journalctl -q -u "$SENDARP_UNIT" --grep 'Success' >/dev/null || fail "SendArp's agent did not report success on ha1"
say "1. heartbeat's SendArp wrapper (Debian's heartbeat package, resource-agents' agent) ran on ha1: $SENDARP_UNIT active"

# 2. Numbered rows, each committed, until ha1 loses power.
sql 'create table rows (n integer primary key, at timestamptz default now())' >/dev/null || fail "create table failed"
: >"$WORK/committed"
(
  n=0
  while [ ! -e "$WORK/stop" ]; do
    n=$((n + 1))
    # A row counts as committed only once psql reported success (autocommit, synchronous commit).
    if rig client env PGCONNECT_TIMEOUT=1 psql -X -q -h 192.0.2.10 -U postgres -d postgres \
      -c "insert into rows (n) values ($n)" >/dev/null 2>&1; then
      echo "$n $(date +%s.%N)" >>"$WORK/committed"
    else
      echo "$n" >>"$WORK/failed"
    fi
  done
) &
INSERTER_PID=$!
wait_for 10 "rows are being committed" sh -c "[ \$(wc -l < '$WORK/committed') -ge 20 ]"
sleep 2
t_off=$(date +%s.%N)
before=$(wc -l <"$WORK/committed")
rig poweroff ha1
wait_for 30 "ha2 commits rows after ha1's power loss" sh -c "[ \$(wc -l < '$WORK/committed') -gt $before ] && '$RIG' holders | grep -q '^ha2 up ip=yes mount=yes'"
# The outage: the longest gap between two commits from just before the power loss on; the commit
# that ends it is ha2's first (an insert in flight at the power loss may still end on ha1).
failover=$(sort -k2 -n "$WORK/committed" | awk -v t="$t_off" '
  prev && $2 > t - 0.5 && $2 - prev > gap { gap = $2 - prev; first = $2 }
  { prev = $2 }
  END { printf "%.2f s after the power loss (no commit for %.2f s)", first - t, gap }')
sleep 1
touch "$WORK/stop"
wait "$INSERTER_PID" || true
INSERTER_PID=""
committed=$(wc -l <"$WORK/committed")
check_rows() { # WHERE: every committed row is in the table
  sql 'select n from rows order by n' >"$WORK/selected" || fail "select on $1 failed"
  local missing
  missing=$(awk '{ print $1 }' "$WORK/committed" | sort -n | comm -23 - <(sort -n "$WORK/selected") | head -5)
  [ -z "$missing" ] || fail "rows committed but missing on $1: $missing"
  say "$1: all $committed committed rows selected ($(wc -l <"$WORK/selected") rows in the table)"
}
say "2. $committed rows committed ($(wc -l <"$WORK/failed" 2>/dev/null || echo 0) inserts failed during the failover); first commit on ha2 ${failover}"
check_rows "ha2 after the failover"
in_node ha2 systemctl is-active --quiet "$SENDARP_UNIT" || fail "heartbeat's SendArp wrapper did not start on ha2"

# 3. Failback.
rig boot ha1
in_node ha1 systemctl start systemd-logind.service
rig hb-start ha1
wait_for 60 "the group is back on ha1 (auto_failback)" sh -c "'$RIG' holders | grep -q '^ha1 up ip=yes mount=yes' && '$RIG' exec ha1 pgrep -u postgres -x postgres >/dev/null"
wait_for 30 "PostgreSQL answers on ha1" sql 'select 1'
holds_nothing ha2 || fail "ha2 still holds something after the failback: $(rig holders)"
if in_node ha2 pgrep -u postgres -x postgres >/dev/null; then fail "PostgreSQL still runs on ha2 after the failback"; fi
check_rows "ha1 after the failback"
say "PASS: legacy PostgreSQL under a heartbeat resource script"
