#!/usr/bin/env bash
# Installs whatever hb needs that this Debian 12 machine lacks. The one place that knows the
# package list: the README's commands and .ci/run call it. Idempotent and quiet when all is there.
#   scripts/ensure-deps.sh build   compilers, libraries, meson, scdoc (the man pages)
#   scripts/ensure-deps.sh test    build + what the unit and bus suites use (dbus-daemon, ip,
#                                  clang-format for the format check, groff and mandoc
#                                  to lint the man pages,
#                                  systemd-journal-remote to make journal files for hbctl log,
#                                  python3-prometheus-client to parse hb-statusd's /metrics,
#                                  tmux to watch `hbctl watch` redraw, chromium for the dashboard
#                                  test)
#   scripts/ensure-deps.sh rig     test + what the cluster rig uses (nspawn, Apache, socat,
#                                  openipmi for the simulated BMCs, ...)
#   scripts/ensure-deps.sh bench   rig + wrk (bench/status)
#   scripts/ensure-deps.sh fuzz    build + clang with libFuzzer (scripts/fuzz.sh)
#   scripts/ensure-deps.sh package build + the Debian package tools (scripts/build-deb.sh)
set -euo pipefail

build_pkgs=(g++ meson ninja-build pkg-config ccache python3
  libsystemd-dev systemd libboost-dev nlohmann-json3-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libgcrypt20-dev libssl-dev libnl-route-3-dev scdoc)
test_pkgs=(dbus iproute2 util-linux systemd-journal-remote clang-format groff-base mandoc
  python3-prometheus-client tmux chromium)
# postgresql: the DB2 stand-in of the cluster test legacy-postgres (run in the nodes, never on the host)
rig_pkgs=(systemd-container socat apache2 nftables e2fsprogs curl iputils-ping openipmi postgresql postgresql-client)
bench_pkgs=(wrk)
fuzz_pkgs=(clang)
package_pkgs=(dpkg-dev debhelper lintian)

want=("${build_pkgs[@]}")
case "${1:-test}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  rig) want+=("${test_pkgs[@]}" "${rig_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${rig_pkgs[@]}" "${bench_pkgs[@]}") ;;
  fuzz) want+=("${fuzz_pkgs[@]}") ;;
  package) want+=("${package_pkgs[@]}") ;;
  *) echo "usage: $0 build|test|rig|bench|fuzz|package" >&2; exit 64 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "hb: missing packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "hb: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Packages such as apache2 start their daemon on install where systemd runs; the cluster runs
# Apache only inside its nodes, so keep it from starting (and staying enabled) on the host.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
fi
trap '[ $made_policy = 1 ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
