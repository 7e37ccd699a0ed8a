# --source grid: the same shuffled order for any worker count, resumable from
# any line's state; 10^12 combinations start at once; bad input is refused
# (exit 2) naming it.
source "$(dirname "$0")/lib.sh"
grid=(--source grid --axes 3,4,5 --runs 2 --shuffle 7 --no-progress)
expect_status 0 "$LOCKSTEP" run "${grid[@]}" --workers 1 --digests w1.jsonl
expect_status 0 "$LOCKSTEP" run "${grid[@]}" --workers 3 --digests w3.jsonl
[ "$(wc -l < w1.jsonl)" -eq 120 ] || fail "not 3 x 4 x 5 x 2 batches: $(wc -l < w1.jsonl)"
cmp -s w1.jsonl w3.jsonl || fail "the order differs between 1 and 3 workers"
expect_status 0 "$LOCKSTEP" run --source grid --axes 3,4,5 --runs 2 --no-progress --digests plain.jsonl
cmp -s w1.jsonl plain.jsonl && fail "--shuffle did not change the order"
sed -n 50p w1.jsonl | python3 -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())["state"]))' > s50.json
expect_status 0 "$LOCKSTEP" run "${grid[@]}" --resume s50.json --digests rest.jsonl
sed -n 51,120p w1.jsonl > expected.jsonl
cmp -s expected.jsonl rest.jsonl || fail "resumed lines differ from lines 51-120"
expect_status 2 "$LOCKSTEP" run --source grid --axes 3,4,6 --runs 2 --shuffle 7 --no-progress \
  --resume s50.json
grep -q "axes" err.txt || fail "another grid's checkpoint is not refused by what differs: $(cat err.txt)"

expect_status 0 "$LOCKSTEP" run --source grid --axes 1000000,1000000 --shuffle 1 --batches 3 --no-progress
grep -q "1000000000000 combinations" out.txt || fail "$(cat out.txt)"

expect_status 2 "$LOCKSTEP" run --source grid --no-progress
grep -q -- "--axes" err.txt || fail "missing --axes is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" run --source grid --axes 3,0 --no-progress
grep -q "axis 1" err.txt || fail "an empty axis is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" run --source grid --axes 3 --seed 1 --no-progress
grep -q -- "--seed" err.txt || fail "--seed is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 3 --axes 3 --no-progress
grep -q -- "--axes" err.txt || fail "--axes with the synthetic source is not named: $(cat err.txt)"
echo "grid_order: ok"
