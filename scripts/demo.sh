#!/usr/bin/env bash
# The main job: builds the lockstep command, makes a demo dataset of synthetic
# sleep recordings once (8 nights of 2-channel EEG at 128 Hz with hypnograms,
# in the user's cache directory), and streams labeled 30 s windows from it
# with a progress bar, ending with a summary: batches, MB/s, windows/s, label
# histogram.
#
#   bash scripts/demo.sh sleep-edf
#
# does the same over Sleep-EDF's own layout (EEG Fpz-Cz, Pz-Oz and EOG at
# 100 Hz, EMG and others at 1 Hz, SC4ssN names, hypnograms with stages 3 and
# 4) prepared as sleep-staging pipelines prepare it: two EEG channels by name
# at 128 Hz (resampled), robust scaling, wake cropped to 30 min around sleep,
# sequences of 5 epochs (docs/signals.md).
set -euo pipefail
layout=${1:-plain}
case "$layout" in
  plain|sleep-edf) ;;
  *) echo "usage: bash scripts/demo.sh [plain|sleep-edf]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target lockstep_cli
lockstep=build/release/apps/lockstep

if [ "$layout" = sleep-edf ]; then
  data=${XDG_CACHE_HOME:-$HOME/.cache}/lockstep/demo-sleep-edf
  recipe=(--layout sleep-edf --recordings 8 --minutes 480 --seed 1)
  prepare=(--channels Fpz-Cz,Pz-Oz --sample-rate 128 --scaling robust --crop-wake-minutes 30
           --sequence-epochs 5 --window-seconds 30 --batch-size 32)
else
  data=${XDG_CACHE_HOME:-$HOME/.cache}/lockstep/demo
  recipe=(--recordings 8 --minutes 480 --channels 2 --sample-rate 128 --seed 1)
  prepare=(--batch-size 64 --window-seconds 30)
fi
# The stamp records what the directory holds; another recipe (or an
# interrupted run) makes the dataset again.
if [ "$(cat "$data/.made-with" 2>/dev/null)" != "${recipe[*]}" ]; then
  rm -rf "$data"
  "$lockstep" make-dataset "$data" "${recipe[@]}"
  echo "${recipe[*]}" > "$data/.made-with"
fi
exec "$lockstep" run --source signals --dataset "$data" --seed 1 --batches 10000 \
  "${prepare[@]}" --workers "$(nproc)"
