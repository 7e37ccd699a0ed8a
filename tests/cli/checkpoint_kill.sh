# --checkpoint F --checkpoint-every 1, killed with SIGKILL mid-run, leaves a
# checkpoint from which --resume continues exactly after the batch it
# records: the resumed digests are the uninterrupted run's from there on.
# Bad --checkpoint input is refused (exit 2) naming it, before any batch.
source "$(dirname "$0")/lib.sh"
common=(--workers 2 --latency-ms 2 --no-progress)
expect_status 0 "$LOCKSTEP" run --seed 9 --batches 4000 --workers 2 --digests all.jsonl --no-progress
# About 4 s of batches at 2 workers x 2 ms (long enough for a loaded machine to
# see it under way); killed once a write after the
# first (the start state) shows progress.
"$LOCKSTEP" run --seed 9 --batches 4000 "${common[@]}" --checkpoint ck.json \
  --checkpoint-every 0.1 > killed.out 2> killed.err &
pid=$!
index_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["index"])' "$1" 2>/dev/null || echo 0; }
wait_for '[ "$(index_of ck.json)" -ge 50 ]' || fail "no checkpoint past batch 50: $(cat killed.err)"
kill -KILL "$pid"
wait_exit "$pid"
[ "$exit_status" -eq 137 ] || fail "the run ended by itself before the kill ($exit_status)"
k=$(index_of ck.json)
[ "$k" -lt 4000 ] || fail "the checkpoint is at the end already"
no_temp_files ck.json
expect_status 0 "$LOCKSTEP" run --resume ck.json --batches $((4000 - k)) --workers 3 \
  --digests rest.jsonl --no-progress
sed -n "$((k + 1)),4000p" all.jsonl > expected.jsonl
cmp -s expected.jsonl rest.jsonl || fail "the run resumed at $k differs from lines $((k + 1))-4000"

# The summary counts the writes; --resume and --checkpoint may name one file.
expect_status 0 "$LOCKSTEP" run --resume ck.json --batches 10 --no-progress --checkpoint ck.json
grep -q "checkpoint writes to ck.json" out.txt || fail "no write count: $(cat out.txt)"
[ "$(index_of ck.json)" -eq $((k + 10)) ] || fail "the last state was not written on the end"

expect_status 2 "$LOCKSTEP" run --seed 1 --batches 5 --no-progress --checkpoint no/dir/ck.json \
  --digests d.jsonl
grep -q "no/dir/ck.json" err.txt || fail "the bad path is not named: $(cat err.txt)"
[ ! -e d.jsonl ] || fail "a refused run wrote digests"
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 5 --no-progress --checkpoint same.jsonl \
  --digests same.jsonl
grep -q -- "--digests" err.txt || fail "the clash is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 5 --no-progress --checkpoint c.json \
  --checkpoint-every 0
grep -q -- "--checkpoint-every" err.txt || fail "a zero interval is not named: $(cat err.txt)"
echo "checkpoint_kill: ok"
