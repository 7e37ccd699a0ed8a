#!/usr/bin/env bash
# The main job: builds the lockstep command, makes a demo dataset of synthetic
# sleep recordings once (8 nights of 2-channel EEG at 128 Hz with hypnograms,
# in the user's cache directory), and streams labeled 30 s windows from it
# with a progress bar, ending with a summary: batches, MB/s, label histogram.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target lockstep_cli
lockstep=build/release/apps/lockstep

data=${XDG_CACHE_HOME:-$HOME/.cache}/lockstep/demo
recipe=(--recordings 8 --minutes 480 --channels 2 --sample-rate 128 --seed 1)
# The stamp records what the directory holds; another recipe (or an
# interrupted run) makes the dataset again.
if [ "$(cat "$data/.made-with" 2>/dev/null)" != "${recipe[*]}" ]; then
  rm -rf "$data"
  "$lockstep" make-dataset "$data" "${recipe[@]}"
  echo "${recipe[*]}" > "$data/.made-with"
fi
exec "$lockstep" run --source signals --dataset "$data" --seed 1 --batches 10000 \
  --batch-size 64 --window-seconds 30 --workers "$(nproc)"
