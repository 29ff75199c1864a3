# Shared helpers of the package suite (sourced): the cluster suite's helpers (tests/cluster/lib.sh,
# with its 20 ms web client) plus the package's own checks. The package-build test makes the package; the others boot nodes that install it (rig up --deb, or apt-get in a node).

. "$(dirname "${BASH_SOURCE[0]}")/../cluster/lib.sh"

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
