#!/usr/bin/env bash
# Builds hb's Debian package the documented way (scripts/build-deb.sh: a clean copy of HEAD,
# dpkg-buildpackage -b, lintian with errors and warnings failing) into BUILD_DIR/package, for the
# other tests of the package suite; then checks what the package holds and declares, as an admin
# would see it with dpkg-deb: no /etc/ha.d files of the admin's, heartbeat replaced, the man
# pages, cl_status, the units, the examples.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
BUILD_DIR=${1:-$SRC_DIR/build}
trap - EXIT
command -v dpkg-buildpackage >/dev/null && command -v lintian >/dev/null ||
  fail "dpkg-buildpackage or lintian missing: run scripts/ensure-deps.sh package"

t=$(date +%s.%N)
deb=$("$SRC_DIR/scripts/build-deb.sh" "$BUILD_DIR/package") || fail "scripts/build-deb.sh failed"
[ "$deb" = "$(package_deb)" ] || fail "build-deb.sh printed $deb, expected $(package_deb)"
say "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $(secs_since "$t") s"
say "lintian's output (errors and warnings fail the build; every tag, info ones included):"
sed 's/^/    /' "$BUILD_DIR/package/lintian.txt"
[ -s "$BUILD_DIR/package/lintian.txt" ] || say "    (nothing)"

contents=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
has() { echo "$contents" | grep -qx "$1" || fail "the package lacks $1"; }
for f in /usr/bin/cl_status /usr/sbin/hbctl /lib/systemd/system/hb.target \
  /lib/systemd/system/hb-linkd.service /lib/systemd/system/hb-resourced.service \
  /usr/share/man/man5/ha.cf.5.gz /usr/share/man/man5/authkeys.5.gz /usr/share/man/man5/haresources.5.gz \
  /usr/share/man/man5/hb.conf.5.gz /usr/share/man/man7/hb.7.gz /usr/share/man/man8/hbctl.8.gz \
  /usr/share/man/man1/cl_status.1.gz /usr/share/man/man8/hb-linkd.8.gz \
  /usr/share/doc/hb/examples/ha.d/ha.cf /usr/share/doc/hb/README.Debian; do
  has "$f"
done
for f in /etc/ha.d/ha.cf /etc/ha.d/authkeys /etc/ha.d/haresources; do
  if echo "$contents" | grep -qx "$f"; then fail "the package ships the admin's $f"; fi
done
say "the package holds cl_status, hbctl, the units, the man pages and the examples, and no /etc/ha.d file"

for field in Conflicts Replaces; do
  v=$(dpkg-deb -f "$deb" "$field")
  echo "$v" | grep -qw heartbeat || fail "$field does not name heartbeat: $v"
done
say "Conflicts and Replaces: heartbeat"
say "PASS: package built, lintian clean"
