# The state on line 100 resumes with lines 101-200, with other workers too.
source "$(dirname "$0")/lib.sh"
expect_status 0 "$LOCKSTEP" run --seed 5 --batches 200 --workers 2 --latency-ms 0.1 \
  --latency-sigma 1 --digests all.jsonl --no-progress
sed -n 100p all.jsonl | python3 -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())["state"]))' > s100.json
expect_status 0 "$LOCKSTEP" run --resume s100.json --batches 100 --workers 3 --latency-ms 0.1 \
  --latency-sigma 1 --digests rest.jsonl --no-progress
sed -n 101,200p all.jsonl > expected.jsonl
cmp -s expected.jsonl rest.jsonl || fail "resumed lines differ from lines 101-200"
