# --spawn-nodes: digests equal local workers; no node process outlives the
# run, whether it succeeds, fails or is interrupted; a node that segfaults
# mid-run is survived. Outputs cross in shared memory, or on the socket with
# --shm-bytes 0, to the same digests, and no shared memory keeps a name.
source "$(dirname "$0")/lib.sh"
nodes_left() { pgrep -c -f -- "node --listen 127.0.0.1:0 --log-level warn" || true; }
shm_left() { find /dev/shm -maxdepth 1 -name 'lockstep-*' | wc -l; }
before=$(nodes_left)
shm_before=$(shm_left)
common=(--seed 9 --latency-ms 1 --no-progress)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 2000 --workers 2 --digests local.jsonl
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 2000 --workers 0 --spawn-nodes 2 \
  --digests spawned.jsonl
cmp -s local.jsonl spawned.jsonl || fail "--spawn-nodes differs from local workers"
[ "$(nodes_left)" -eq "$before" ] || fail "nodes left after a successful run"
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 2000 --workers 0 --spawn-nodes 2 \
  --item-bytes 200000 --digests big_shm.jsonl
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 2000 --workers 0 --spawn-nodes 2 \
  --item-bytes 200000 --shm-bytes 0 --digests big_socket.jsonl
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 2000 --workers 2 \
  --item-bytes 200000 --digests big_local.jsonl
cmp -s big_local.jsonl big_shm.jsonl || fail "outputs through shared memory differ"
cmp -s big_local.jsonl big_socket.jsonl || fail "outputs on the socket differ"

expect_status 1 "$LOCKSTEP" run "${common[@]}" --batches 2000 --workers 0 --spawn-nodes 2 \
  --poison-index 100 --retry-delay-ms 1
[ "$(nodes_left)" -eq "$before" ] || fail "nodes left after a failed run"

"$LOCKSTEP" run "${common[@]}" --batches 100000 --workers 0 --spawn-nodes 2 \
  --digests interrupted.jsonl > int.out 2> int.err & run=$!
wait_for '[ "$(lines interrupted.jsonl)" -ge 100 ]' || fail "the run made no progress"
kill -INT $run
status=0; wait $run || status=$?
[ "$status" -eq 130 ] || fail "SIGINT: exit $status, expected 130"
[ "$(nodes_left)" -eq "$before" ] || fail "nodes left after SIGINT"
n=$(wc -l < interrupted.jsonl)
m=$(( n < 2000 ? n : 2000 ))
cmp -s <(head -n "$m" local.jsonl) <(head -n "$m" interrupted.jsonl) \
  || fail "an interrupted run's digests differ from the start of a full run"

expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 2000 --workers 0 --spawn-nodes 2 \
  --crash-index 700 --crash-file crashed --digests crash.jsonl
[ -e crashed ] || fail "no node crashed"
cmp -s local.jsonl crash.jsonl || fail "digests changed after a node segfaulted"
[ "$(nodes_left)" -eq "$before" ] || fail "nodes left after a crash"
[ "$(shm_left)" -eq "$shm_before" ] || fail "shared memory left named in /dev/shm"
