# Two nodes give the digests of local workers, and survive kill -9, SIGSTOP,
# a node that joins late, and a frozen node that resumes and rejoins.
source "$(dirname "$0")/lib.sh"
common=(--seed 21 --latency-ms 2 --no-progress)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 3000 --workers 2 --digests local.jsonl

a=$(start_node a); b=$(start_node b)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 3000 --workers 0 --nodes "$a,$b" \
  --digests remote.jsonl
cmp -s local.jsonl remote.jsonl || fail "--nodes differs from local workers"

# kill -9 one node once the run is under way.
"$LOCKSTEP" run "${common[@]}" --batches 3000 --workers 0 --nodes "$a,$b" \
  --digests killed.jsonl > killed.out 2> killed.err & run=$!
wait_for '[ "$(lines killed.jsonl)" -ge 300 ]' || fail "the run made no progress"
kill -9 "$(cat a.pid)"
wait $run || fail "the run failed after a node was killed: $(cat killed.err)"
cmp -s local.jsonl killed.jsonl || fail "digests changed after kill -9"
grep -q "lost" killed.err || fail "the lost node was not reported"

# Freeze one node (SIGSTOP): it is declared lost within the connection timeout.
a=$(start_node a2)
"$LOCKSTEP" run "${common[@]}" --batches 3000 --workers 0 --nodes "$a,$b" --heartbeat 0.2 \
  --connection-timeout 1 --digests frozen.jsonl > frozen.out 2> frozen.err & run=$!
wait_for '[ "$(lines frozen.jsonl)" -ge 300 ]' || fail "the run made no progress"
kill -STOP "$(cat b.pid)"
wait $run || fail "the run failed after a node froze: $(cat frozen.err)"
kill -CONT "$(cat b.pid)"
cmp -s local.jsonl frozen.jsonl || fail "digests changed after SIGSTOP"

# A node listed but started only after the run began joins and takes jobs.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$LOCKSTEP" run "${common[@]}" --batches 3000 --workers 0 --nodes "$a,127.0.0.1:$port" \
  --digests joined.jsonl > joined.out 2> joined.err & run=$!
wait_for '[ "$(lines joined.jsonl)" -ge 100 ]' || fail "the run made no progress"
"$LOCKSTEP" node --listen "127.0.0.1:$port" --workers 2 > late.out 2> late.err &
echo $! > late.pid
wait $run || fail "the run failed: $(cat joined.err)"
cmp -s local.jsonl joined.jsonl || fail "digests changed when a node joined"
kill "$(cat late.pid)"; wait "$(cat late.pid)" 2>/dev/null || true
grep -Eq "answered [1-9][0-9]* jobs" late.err || fail "the late node took no jobs: $(cat late.err)"

# Frozen, then resumed: the node is lost, then rejoins the same run.
c=$(start_node c); d=$(start_node d)
"$LOCKSTEP" run "${common[@]}" --batches 10000 --workers 0 --nodes "$c,$d" --heartbeat 0.2 \
  --connection-timeout 1 --verbose --digests resumed.jsonl > resumed.out 2> resumed.err & run=$!
wait_for '[ "$(lines resumed.jsonl)" -ge 300 ]' || fail "the run made no progress"
kill -STOP "$(cat d.pid)"
wait_for "grep -q 'node $d lost' resumed.err" || fail "the frozen node was not declared lost"
kill -CONT "$(cat d.pid)"
wait_for "[ \$(grep -c 'node $d joined' resumed.err) -ge 2 ]" \
  || fail "the resumed node did not rejoin: $(grep "$d" resumed.err)"
wait $run || fail "the run failed: $(cat resumed.err)"
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 10000 --workers 2 --digests local10k.jsonl
cmp -s local10k.jsonl resumed.jsonl || fail "digests changed when a node froze and came back"
