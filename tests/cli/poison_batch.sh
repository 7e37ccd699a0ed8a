# A poison batch: batches 0-49 are written, exit 1 names the state and error.
source "$(dirname "$0")/lib.sh"
expect_status 1 "$LOCKSTEP" run --seed 3 --batches 200 --workers 4 --poison-index 50 \
  --retry-delay-ms 1 --digests p.jsonl --no-progress
[ "$(wc -l < p.jsonl)" -eq 50 ] || fail "expected 50 lines before the poison batch"
tail -1 p.jsonl | grep -q '"index":49,' || fail "last line is not batch 49"
grep -q 'poisoned' err.txt || fail "stderr does not carry the original error"
state=$(tail -1 p.jsonl | python3 -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())["state"]["state"], separators=(",", ":")))')
grep -qF "$state" err.txt || fail "stderr does not name the failing batch's state"
grep -q 'failed 5 attempts' err.txt || fail "stderr does not say how many attempts"
# The same batches as a clean run.
expect_status 0 "$LOCKSTEP" run --seed 3 --batches 50 --workers 1 --digests clean.jsonl --no-progress
cmp -s p.jsonl clean.jsonl || fail "batches before the poison differ from a clean run"
