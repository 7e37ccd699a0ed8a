#!/usr/bin/env bash
# Installs the Debian 12 packages lockstep needs, if any are missing.
# Usage: scripts/setup.sh [extra packages...]   (as root when something is missing)
#
# Boost.JSON 1.81's development packages conflict with Boost 1.74's, which
# python3-scipy and python3-mne pull in (through python3-pythran and
# libboost-dev). On such a machine Debian's Boost 1.81 headers and Boost.JSON
# library are unpacked into build/deps/boost-1.81 instead (apt-get download,
# dpkg -x: the same files, not installed), and CMake finds them there
# (CMakeLists.txt); only the run-time libraries are installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

boost_dev=(libboost1.81-dev libboost-json1.81-dev libboost-container1.81-dev
           libboost-system1.81-dev)
boost_run=(libboost-json1.81.0 libboost-container1.81.0 libboost-system1.81.0)
private_boost=0
installed libboost1.74-dev && ! installed libboost-json1.81-dev && private_boost=1

packages=(g++ make cmake python3 pkg-config iproute2 procps
          libcaf-dev libcaf-io0.17 libspdlog-dev libfmt-dev
          libgtest-dev libcli11-dev libedf-dev libsqlite3-dev libtbb-dev "$@")
if [ "$private_boost" = 1 ]; then
  packages+=("${boost_run[@]}")
else
  packages+=(libboost-json1.81-dev)
fi

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
prefix="$root/build/deps/boost-1.81"
[ ${#missing[@]} -eq 0 ] && { [ "$private_boost" = 0 ] || [ -f "$prefix/.unpacked" ]; } && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "lockstep setup: missing Debian packages: ${missing[*]}" >&2
  echo "run this as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
  echo "lockstep setup: installing ${missing[*]}" >&2
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$private_boost" = 1 ] && [ ! -f "$prefix/.unpacked" ]; then
  echo "lockstep setup: Boost 1.74's development files are installed (python3-scipy or" \
       "python3-mne need them); unpacking Boost 1.81's into $prefix" >&2
  debs=$(mktemp -d)
  trap 'rm -rf "$debs"' EXIT
  # apt-get download writes into the current directory; as root it warns
  # that the download is not sandboxed, which is expected here.
  (cd "$debs" && apt-get download -qq "${boost_dev[@]}" "${boost_run[@]}" 2>/dev/null) || {
    apt-get update -qq
    (cd "$debs" && apt-get download -qq "${boost_dev[@]}" "${boost_run[@]}" 2>/dev/null)
  }
  rm -rf "$prefix"
  mkdir -p "$prefix"
  for deb in "$debs"/*.deb; do
    dpkg -x "$deb" "$prefix"
  done
  touch "$prefix/.unpacked"
fi
