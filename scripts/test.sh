#!/usr/bin/env bash
# The test suite: installs what is missing, configures, builds and runs CTest.
# Usage: scripts/test.sh [preset]   (dev by default; asan runs it sanitized)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-dev}
bash scripts/setup.sh
jobs=$(nproc)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
ctest --preset "$preset" -j "$jobs"
