#!/usr/bin/env bash
# The main job: builds the lockstep command and streams batches with a
# progress bar and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target lockstep_cli
exec build/release/apps/lockstep run --source synthetic --seed 1 --batches 3000 --workers 4 \
  --latency-ms 2 --latency-sigma 0.5 --item-bytes 262144
