# Node processes a run starts end with it: a SIGINT while the run waits for a
# launched node to print its address stops it at once (not after the launch
# timeout); a node behind a shell wrapper (which does not pass the
# parent-death signal on) ends when its client is killed with SIGKILL,
# because its stdin, a pipe from the client, closes; `lockstep node
# --exit-with-stdin` stops at the end of its stdin.
source "$(dirname "$0")/lib.sh"
# A launch timeout far beyond the deadlines below: only a prompt stop passes.
echo '{"remote": {"connect_timeout_ms": 120000}}' > slow.json

"$LOCKSTEP" run --seed 1 --batches 10 --no-progress --config slow.json \
  --node-launch 'exec sleep 97.25' > int.out 2> int.err & run=$!
echo $run > run.pid
wait_for 'pgrep -f "^sleep 97.25" > /dev/null' || fail "the launch command did not start"
kill -INT $run
wait_exit $run 20
[ "$exit_status" -eq 130 ] || fail "SIGINT while waiting for a node: exit $exit_status: $(cat int.err)"
wait_for '! pgrep -f "^sleep 97.25" > /dev/null' || fail "the launched command outlived the run"

# The wrapper runs the node as a child (the "; echo" keeps sh from exec'ing it).
marker="--connection-timeout 7.25"
"$LOCKSTEP" run --seed 1 --batches 100000 --latency-ms 1 --workers 0 --no-progress \
  --node-launch "sh -c '$LOCKSTEP node --listen 127.0.0.1:0 --workers 1 $marker; echo wrapper done >&2'" \
  --digests k.jsonl > kill.out 2> kill.err & run=$!
echo $run > run.pid
wait_for '[ "$(lines k.jsonl)" -ge 50 ]' || fail "the run with a launched node made no progress: $(cat kill.err)"
node=$(pgrep -f -- "^$LOCKSTEP node --listen 127.0.0.1:0 --workers 1 $marker" | head -1)
[ -n "$node" ] || fail "no launched node found"
kill -KILL $run
wait_exit $run 20
if ! wait_for "! kill -0 $node 2>/dev/null"; then
  kill -KILL "$node"
  fail "the launched node outlived its client (SIGKILL)"
fi

# The flag itself: the node stops when the end of its stdin is reached.
mkfifo lifeline
"$LOCKSTEP" node --listen 127.0.0.1:0 --workers 1 --exit-with-stdin < lifeline > n.out 2> n.err & node=$!
echo $node > node.pid
exec 3> lifeline
wait_for "grep -q '^listening on ' n.out" || fail "the node did not start: $(cat n.err)"
exec 3>&-
wait_exit $node 20
[ "$exit_status" -eq 0 ] || fail "--exit-with-stdin: exit $exit_status: $(cat n.err)"
