#!/usr/bin/env bash
# Installs the Debian 12 packages lockstep needs, if any are missing.
# Usage: scripts/setup.sh [extra packages...]   (as root when something is missing)
set -euo pipefail

packages=(g++ make cmake python3 pkg-config iproute2 procps
          libcaf-dev libcaf-io0.17 libboost-json1.81-dev libspdlog-dev libfmt-dev
          libgtest-dev libcli11-dev libedf-dev libsqlite3-dev libtbb-dev "$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "lockstep setup: missing Debian packages: ${missing[*]}" >&2
  echo "run this as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "lockstep setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
