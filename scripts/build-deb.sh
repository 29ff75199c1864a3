#!/usr/bin/env bash
# Builds hb's Debian package from a clean copy of the committed tree (what `git archive HEAD`
# gives, so nothing uncommitted and no build/ directory gets in), runs lintian on it, and prints
# the path of the .deb.
#   scripts/build-deb.sh [OUTDIR]   OUTDIR defaults to /tmp/hb-deb; the .deb, .changes and
#                                   .buildinfo land there (dpkg-buildpackage writes beside the tree),
#                                   and lintian's output in lintian.txt
# Needs: scripts/ensure-deps.sh package (as root), then any user.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/hb-deb}
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg-architecture -q DEB_HOST_ARCH)

# A fixed path for the copy: the compiler cache then finds the previous build's objects.
rm -rf "$out/hb"
mkdir -p "$out/hb"
git -C "$src" archive HEAD | tar -x -C "$out/hb"
rm -f "$out"/hb_"$version"_* "$out"/hb-dbgsym_"$version"_*
(cd "$out/hb" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 || {
  tail -n 40 "$out/build.log" >&2
  echo "hb: the package build failed; the whole log is $out/build.log" >&2
  exit 1
}
rm -rf "$out/hb"

deb="$out/hb_${version}_${arch}.deb"
# Errors fail the build; each warning kept has an override with its reason (debian/hb.lintian-overrides).
# Its output, info tags included, is also kept in OUTDIR/lintian.txt.
lintian --fail-on error,warning --display-info "$out/hb_${version}_${arch}.changes" >"$out/lintian.txt" 2>&1 ||
  { cat "$out/lintian.txt" >&2; exit 1; }
cat "$out/lintian.txt" >&2
echo "$deb"
