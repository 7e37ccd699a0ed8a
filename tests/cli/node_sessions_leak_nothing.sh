# Run after run on one node, the node listed once or twice: the node's
# descriptors come back to where they were after each, and SIGTERM still
# stops it promptly.
source "$(dirname "$0")/lib.sh"
a=$(start_node n)
pid=$(cat n.pid)
fds_of_node() { ls "/proc/$pid/fd" | wc -l; }
base=$(fds_of_node)
common=(--seed 3 --batches 300 --latency-ms 0 --no-progress)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --workers 2 --digests first.jsonl
for i in 1 2 3 4 5 6; do
  nodes="$a"
  [ $((i % 2)) -eq 0 ] && nodes="$a,$a"
  expect_status 0 "$LOCKSTEP" run "${common[@]}" --workers 0 --nodes "$nodes" --digests "d$i.jsonl"
  cmp -s first.jsonl "d$i.jsonl" || fail "run $i ($nodes) gave other digests"
  wait_for '[ "$(fds_of_node)" -le "$base" ]' \
    || fail "after run $i ($nodes) the node holds $(fds_of_node) descriptors (was $base)"
done
kill -TERM "$pid"
for t in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  kill -9 "$pid"
  fail "the node was still running 3 s after SIGTERM"
fi
