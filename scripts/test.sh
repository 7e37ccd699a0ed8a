#!/usr/bin/env bash
# The test suite: installs what is missing, configures, builds and runs CTest.
# Usage: scripts/test.sh [preset]
#   dev (default)  everything, warnings as errors
#   asan           everything under AddressSanitizer + UndefinedBehaviorSanitizer
#   tsan           the real-thread batcher and job tests under ThreadSanitizer
#   fuzz           each libFuzzer target for LOCKSTEP_FUZZ_SECONDS (30) seconds
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-dev}
extra=()
[ "$preset" = fuzz ] && extra=(clang libclang-rt-14-dev)
# dev builds and tests the Python module too (python/), and its PyTorch example.
[ "$preset" = dev ] && extra=(pybind11-dev python3-dev python3-numpy python3-pytest python3-torch)
# gnuplot: cli.stats_json draws a --stats-json file with scripts/plot-stats.
bash scripts/setup.sh gnuplot-nox "${extra[@]}"
jobs=$(nproc)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$jobs"
ctest --preset "$preset" -j "$jobs"
