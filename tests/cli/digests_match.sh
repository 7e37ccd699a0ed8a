# --workers 0, 1, 2 and 4 write identical digests (log-normal latency).
source "$(dirname "$0")/lib.sh"
for w in 0 1 2 4; do
  expect_status 0 "$LOCKSTEP" run --source synthetic --seed 11 --batches 200 --workers "$w" \
    --latency-ms 0.2 --latency-sigma 1 --item-bytes 256 --digests "d$w.jsonl" --no-progress
done
[ "$(wc -l < d0.jsonl)" -eq 200 ] || fail "expected 200 digest lines"
for w in 1 2 4; do
  cmp -s d0.jsonl "d$w.jsonl" || fail "--workers $w differs from --workers 0"
done
head -1 d0.jsonl | grep -q '"index":0,"digest":"[0-9a-f]\{16\}","state":{"format":"lockstep-state"' \
  || fail "unexpected line format: $(head -1 d0.jsonl)"
