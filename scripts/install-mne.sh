#!/usr/bin/env bash
# Installs python3-mne (and with it python3-scipy and Boost 1.74's development
# files), as a user of the Python scientific stack has it on Debian 12. Boost
# 1.81's development packages, which lockstep would otherwise install, conflict
# with Boost 1.74's and are removed first; scripts/setup.sh then unpacks them
# privately (docs/python.md). CI runs this first, to prove lockstep builds
# beside MNE. As root.
set -euo pipefail
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
installed python3-mne && exit 0
export DEBIAN_FRONTEND=noninteractive
conflicting=()
for p in libboost1.81-dev libboost-json1.81-dev libboost-container1.81-dev libboost-system1.81-dev; do
  installed "$p" && conflicting+=("$p")
done
if [ ${#conflicting[@]} -gt 0 ]; then
  echo "install-mne: removing ${conflicting[*]} (they conflict with Boost 1.74, which MNE needs)" >&2
  apt-get remove -y -qq "${conflicting[@]}" >/dev/null
fi
echo "install-mne: installing python3-mne" >&2
apt-get update -qq
apt-get install -y -qq --no-install-recommends python3-mne >/dev/null
