# Sleep-EDF prepared as its users prepare it, through the command: channels by
# name, resampling, robust scaling, cropped wake, sequences; the same digests
# for any worker count; an ordered pass that ends by itself; clear refusals.
source "$(dirname "$0")/lib.sh"
expect_status 0 "$LOCKSTEP" make-dataset data --layout sleep-edf --recordings 3 --minutes 40 \
  --seed 3
prep=(--channels Fpz-Cz,Pz-Oz --sample-rate 128 --scaling robust --crop-wake-minutes 5
      --sequence-epochs 3)
args=(run --source signals --dataset data --batch-size 4 --no-progress "${prep[@]}")
for w in 0 1 3; do
  expect_status 0 "$LOCKSTEP" "${args[@]}" --seed 2 --batches 12 --workers "$w" --digests "d$w.jsonl"
done
for w in 1 3; do
  cmp -s d0.jsonl "d$w.jsonl" || fail "--workers $w differs from --workers 0"
done
grep -q "windows of 90 s: 2 channels x 11520 samples at 128 Hz, robust scaling, wake cropped to 5 min, as sequences of 3 epochs" out.txt \
  || fail "the preparation is not reported: $(cat out.txt)"
grep -q "48 windows" out.txt || fail "no window count in the summary: $(cat out.txt)"

# A checkpoint remembers the preparation: another scaling is refused.
sed -n 6p d0.jsonl | python3 -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())["state"]))' > s6.json
expect_status 0 "$LOCKSTEP" "${args[@]}" --resume s6.json --batches 6 --digests rest.jsonl
sed -n 7,12p d0.jsonl | cmp -s - rest.jsonl || fail "resumed lines differ from lines 7-12"
expect_status 2 "$LOCKSTEP" run --source signals --dataset data --batch-size 4 --no-progress \
  --channels Fpz-Cz,Pz-Oz --sample-rate 128 --scaling zscore --crop-wake-minutes 5 \
  --sequence-epochs 3 --resume s6.json --batches 1
grep -q 'scaling: "robust" in the checkpoint, "zscore" in this run' err.txt \
  || fail "a changed scaling is not named: $(cat err.txt)"

# The ordered pass: no seed, no --batches; every window once, then the end.
expect_status 0 "$LOCKSTEP" run --source signals --dataset data --batch-size 5 --no-progress \
  "${prep[@]}" --order sequential --digests pass.jsonl
windows=$(sed -n 's/.*one ordered pass of \([0-9]*\) windows.*/\1/p' out.txt)
[ -n "$windows" ] && [ "$windows" -gt 0 ] || fail "no pass size: $(cat out.txt)"
[ "$(wc -l < pass.jsonl)" -eq $(( (windows + 4) / 5 )) ] \
  || fail "the pass of $windows windows took $(wc -l < pass.jsonl) batches of 5"
grep -q "$windows windows" out.txt || fail "the pass did not deliver $windows windows: $(cat out.txt)"
expect_status 2 "$LOCKSTEP" run --source signals --dataset data --order sequential --n-channels 1
grep -q "the sequential order reads them all" err.txt || fail "n_channels with a pass: $(cat err.txt)"

# A channel of another rate needs --sample-rate; a missing one is named.
expect_status 2 "$LOCKSTEP" run --source signals --dataset data --channels "Fpz-Cz,EMG submental" \
  --seed 1 --batches 1
grep -q 'channel "EMG submental" of SC4001E0-PSG.edf runs at 1 Hz, "EEG Fpz-Cz" of SC4001E0-PSG.edf at 100 Hz; set sample_rate' err.txt \
  || fail "mixed rates without --sample-rate: $(cat err.txt)"
expect_status 0 "$LOCKSTEP" run --source signals --dataset data --channels "Fpz-Cz,EMG submental" \
  --sample-rate 100 --seed 1 --batches 2 --no-progress
expect_status 2 "$LOCKSTEP" run --source signals --dataset data --channels Fpz-Cz,C3-M2 \
  --seed 1 --batches 1
grep -q 'has no channel "C3-M2"' err.txt || fail "a missing channel is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" run --source signals --dataset data --scaling minmax --seed 1 --batches 1

# A validation set sharing a subject with the training set is refused.
expect_status 2 "$LOCKSTEP" run --source signals --dataset data --validation data --seed 1 \
  --batches 1
grep -qi "subject" err.txt || fail "an overlapping validation set is not refused: $(cat err.txt)"
echo ok
