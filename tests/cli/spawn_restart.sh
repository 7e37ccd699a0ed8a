# A --spawn-nodes node that crashes is started again on its port, and the
# run reconnects to it: one node and one crash still give the local digests.
# With config.remote.spawn_restarts 0 it is not, and the run fails once no
# worker is left.
source "$(dirname "$0")/lib.sh"
common=(--seed 9 --latency-ms 1 --no-progress --batches 600)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --workers 2 --digests local.jsonl
expect_status 0 "$LOCKSTEP" run "${common[@]}" --workers 0 --spawn-nodes 1 --no-worker-timeout 30 \
  --crash-index 300 --crash-file crashed --digests one.jsonl
[ -e crashed ] || fail "no node crashed"
cmp -s local.jsonl one.jsonl || fail "digests changed after the only node crashed and restarted"
grep -q "starting it again" err.txt || fail "the restart was not reported: $(cat err.txt)"

echo '{"remote": {"spawn_restarts": 0}}' > none.json
expect_status 1 "$LOCKSTEP" run "${common[@]}" --workers 0 --spawn-nodes 1 --no-worker-timeout 3 \
  --config none.json --crash-index 300 --crash-file crashed2
[ -e crashed2 ] || fail "no node crashed (spawn_restarts 0)"
