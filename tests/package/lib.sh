# Shared helpers of the package suite (sourced): the cluster suite's helpers (tests/cluster/lib.sh)
# plus where the package is and a web client that counts failed requests. The package-build test
# makes the package; the others boot nodes that install it (rig up --deb, or apt-get in a node).

. "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"

POLL=$SRC_DIR/bench/failover/poll.py
POLL_PID=""
POLL_DIR=""

need_package() {
  DEB=$(package_deb)
  [ -f "$DEB" ] || fail "no package at $DEB: the package-build test makes it (meson test -C $BUILD_DIR --suite package runs it first)"
  # One built from an older commit would test old maintainer scripts.
  [ "$DEB" -nt "$SRC_DIR/debian/changelog" ] || fail "$DEB is older than debian/changelog: run the package-build test again"
}

# Copies a host file into a running node (its own root, not the shared layers).
put_in_node() { # NODE HOST_FILE NODE_PATH
  in_node "$1" sh -c "cat > '$3'" <"$2" || fail "could not copy $2 into $1"
}

# apt-get inside a node, as an admin runs it there (no network: only local package files).
node_apt() { # NODE ARGS... (no recommended packages: they would need the network)
  local node=$1
  shift
  in_node "$node" env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends "$@"
}

# A client in the rig's client namespace GETs the site every 20 ms (bench/failover/poll.py, a
# request each tick, 0.3 s timeout), until stop_poller. poll_failed / poll_served count its log.
start_poller() {
  POLL_DIR=$(mktemp -d /tmp/hb-package-poll.XXXXXX)
  rig client python3 "$POLL" "$POLL_DIR/log" "$POLL_DIR/stop" 600 &
  POLL_PID=$!
  wait_for 5 "poller running" test -s "$POLL_DIR/log"
}

stop_poller() {
  [ -n "$POLL_PID" ] || return 0
  touch "$POLL_DIR/stop"
  wait "$POLL_PID" || true
  POLL_PID=""
}

poll_count() { awk -v w="$1" '$3 == w' "$POLL_DIR/log" | wc -l; } # WHO ("-": failed)
poll_total() { wc -l <"$POLL_DIR/log"; }

finish_package() { # RC
  local rc=$1
  stop_poller
  [ -z "$POLL_DIR" ] || rm -rf "$POLL_DIR"
  finish "$rc"
}
