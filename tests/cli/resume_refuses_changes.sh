# A state resumes only the source it was saved from: other parameters, other
# or changed data, or an index the state disagrees with exit 2 naming what
# differs and write nothing; --accept-changes says the change is intended.
source "$(dirname "$0")/lib.sh"
state_of_line() {  # state_of_line N FILE > STATE.json
  sed -n "$1p" "$2" | python3 -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())["state"]))'
}
refused() {  # refused WORDS ARGS...: exit 2, WORDS in the message, no digests written
  local words=$1; shift
  expect_status 2 "$LOCKSTEP" run "$@" --digests refused.jsonl --no-progress
  grep -qF -- "$words" err.txt || fail "'$*': expected '$words' in: $(cat err.txt)"
  [ ! -e refused.jsonl ] || fail "'$*' wrote digests"
}

# synthetic: the length and the item size are part of the sequence.
expect_status 0 "$LOCKSTEP" run --seed 3 --length 10 --batches 4 --digests s.jsonl --no-progress
state_of_line 4 s.jsonl > s4.json
refused "length: 10 in the checkpoint, null in this run" --resume s4.json --batches 20
refused "item_bytes: 64 in the checkpoint, 65 in this run" --resume s4.json --length 10 \
  --item-bytes 65 --batches 2
expect_status 0 "$LOCKSTEP" run --resume s4.json --length 10 --latency-ms 1 --batches 2 \
  --no-progress  # timing is not part of it
expect_status 0 "$LOCKSTEP" run --resume s4.json --batches 2 --accept-changes --no-progress
grep -q "accept-changes: length" err.txt || fail "the accepted change is not reported: $(cat err.txt)"
python3 - s4.json > s4-wrong-index.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["index"] = 7; print(json.dumps(s))
PY
refused "its index is 7 but its state stands at batch 4" --resume s4-wrong-index.json --length 10 \
  --batches 2

# signals: the parameters, the recordings' data and their order.
make() { expect_status 0 "$LOCKSTEP" make-dataset "$1" --recordings 3 --minutes 10 --channels 2 \
  --sample-rate 32 --seed "$2"; }
make data 4
args=(--source signals --batch-size 4 --window-seconds 60)
expect_status 0 "$LOCKSTEP" run "${args[@]}" --dataset data --seed 1 --batches 10 \
  --digests all.jsonl --no-progress
state_of_line 5 all.jsonl > d5.json
refused "batch_size: 4 in the checkpoint, 8 in this run" --source signals --dataset data \
  --batch-size 8 --window-seconds 60 --resume d5.json --batches 1
refused "window_seconds" --source signals --dataset data --batch-size 4 --window-seconds 30 \
  --resume d5.json --batches 1
refused "n_channels: null in the checkpoint, 1 in this run" "${args[@]}" --dataset data \
  --n-channels 1 --resume d5.json --batches 1
# The same data elsewhere is the same sequence: it resumes with lines 6-10.
mv data moved
expect_status 0 "$LOCKSTEP" run "${args[@]}" --dataset moved --resume d5.json --batches 5 \
  --digests rest.jsonl --no-progress
sed -n 6,10p all.jsonl | cmp -s - rest.jsonl || fail "the moved dataset resumed differently"
# Regenerated with other samples, same names and sizes.
make other 5
refused "recordings[SL0000E0].samples" "${args[@]}" --dataset other --resume d5.json --batches 1
# Reordered (a manifest listing them the other way round).
python3 - > moved/reversed.json <<'PY'
import json
names = ["SL0002E0", "SL0001E0", "SL0000E0"]
print(json.dumps({"recordings": [{"psg": n + "-PSG.edf", "hypnogram": n[:-1] + "C-Hypnogram.edf"}
                                 for n in names]}))
PY
refused 'recordings: item 1 is "SL0000E0" in the checkpoint, "SL0002E0" in this run' \
  "${args[@]}" --dataset moved/reversed.json --resume d5.json --batches 1
# One sample changed in place, with the name, size and modification time
# kept, after the digests were cached: it is hashed again and refused.
expect_status 0 "$LOCKSTEP" run "${args[@]}" --dataset moved --resume d5.json --batches 1 --no-progress
ls "$LOCKSTEP_CACHE_DIR"/file-digests/* >/dev/null 2>&1 || fail "no digest was cached"
psg=moved/SL0001E0-PSG.edf
cp -p "$psg" stamp
size=$(stat -c %s "$psg")
printf '\x7f' | dd of="$psg" bs=1 seek=$((size - 3)) conv=notrunc status=none
touch -r stamp "$psg"
[ "$(stat -c %s "$psg")" -eq "$size" ] || fail "the size changed"
refused "recordings[SL0001E0].samples" "${args[@]}" --dataset moved --resume d5.json --batches 1
