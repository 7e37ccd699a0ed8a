# The signals source through the command: --workers 0, 1 and 3 write the same
# digests, and the state on line 20 resumes with lines 21-40.
source "$(dirname "$0")/lib.sh"
expect_status 0 "$LOCKSTEP" make-dataset data --recordings 3 --minutes 10 --channels 3 \
  --sample-rate 32 --seed 4
args=(run --source signals --dataset data --batch-size 8 --window-seconds 60 --n-channels 2
      --no-progress)
for w in 0 1 3; do
  expect_status 0 "$LOCKSTEP" "${args[@]}" --seed 9 --batches 40 --workers "$w" --digests "d$w.jsonl"
done
[ "$(wc -l < d0.jsonl)" -eq 40 ] || fail "expected 40 digest lines"
for w in 1 3; do
  cmp -s d0.jsonl "d$w.jsonl" || fail "--workers $w differs from --workers 0"
done
grep -q 'labels W [0-9.]*%' out.txt || fail "no label histogram in the summary: $(cat out.txt)"
grep -q '"source":"signals"' d0.jsonl || fail "states do not name the signals source"
sed -n 20p d0.jsonl | python3 -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())["state"]))' > s20.json
expect_status 0 "$LOCKSTEP" "${args[@]}" --resume s20.json --batches 20 --workers 2 --digests rest.jsonl
sed -n 21,40p d0.jsonl > expected.jsonl
cmp -s expected.jsonl rest.jsonl || fail "resumed lines differ from lines 21-40"
