# Unreachable nodes, tokens, a dataset or source a node lacks: clear errors,
# the expected exit status, no hang.
source "$(dirname "$0")/lib.sh"
expect_status 1 "$LOCKSTEP" run --seed 1 --batches 5 --workers 0 --nodes 127.0.0.1:1 \
  --no-worker-timeout 1 --digests out.jsonl --no-progress
grep -q "no worker" err.txt && grep -q "127.0.0.1:1" err.txt || fail "unclear: $(cat err.txt)"
[ ! -e out.jsonl ] || fail "a failed run with no batch left a digests file"

echo "s3cret" > token
a=$(start_node a --token-file token)
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 5 --workers 0 --nodes "$a" --no-progress
grep -q "requires a token" err.txt || fail "missing token not named: $(cat err.txt)"
echo "guess" > wrong
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 5 --workers 0 --nodes "$a" \
  --token-file wrong --no-progress
grep -q "refused the token" err.txt || fail "wrong token not named: $(cat err.txt)"
grep -q "refused a run" a.err || fail "the node did not log the refusal"
expect_status 0 "$LOCKSTEP" run --seed 1 --batches 5 --workers 0 --nodes "$a" \
  --token-file token --no-progress

expect_status 2 "$LOCKSTEP" run --seed 1 --batches 5 --nodes "$a" --token-file missing-file
grep -q "missing-file" err.txt || fail "missing token file not named"
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 5 --nodes "nohost" --no-progress
grep -q '"nohost"' err.txt || fail "bad address not named"
expect_status 2 "$LOCKSTEP" node --listen 0.0.0.0:0
grep -q "requires a token" err.txt || fail "a node beyond loopback started without a token"
