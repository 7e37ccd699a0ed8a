# A node in its own network namespace, reached over a veth pair on a private
# range: cutting the link (not killing the process) is survived within the
# connection timeout. Skipped (exit 77) where namespaces are not permitted.
source "$(dirname "$0")/lib.sh"
command -v ip >/dev/null || { echo "skipped: no ip command"; exit 77; }
ns="lockstep-$$"
host_if="ls$$a"; node_if="ls$$b"
net="10.231.$(( $$ % 250 ))"
cleanup_net() {
  ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip link del "$host_if" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}
trap 'cleanup_net; stop_nodes; rm -rf "$WORK"' EXIT
ip netns add "$ns" 2>/dev/null || { echo "skipped: network namespaces not permitted"; exit 77; }
ip link add "$host_if" type veth peer name "$node_if" \
  && ip link set "$node_if" netns "$ns" \
  && ip addr add "$net.1/24" dev "$host_if" && ip link set "$host_if" up \
  && ip netns exec "$ns" ip addr add "$net.2/24" dev "$node_if" \
  && ip netns exec "$ns" ip link set "$node_if" up \
  && ip netns exec "$ns" ip link set lo up \
  || { echo "skipped: cannot set up a veth pair"; exit 77; }

echo "link-cut-token" > token
ip netns exec "$ns" "$LOCKSTEP" node --listen "$net.2:0" --workers 2 --token-file token \
  > far.out 2> far.err &
wait_for "grep -q '^listening on ' far.out" || fail "the namespaced node did not start: $(cat far.err)"
far=$(sed 's/^listening on //' far.out)
near=$(start_node near)

common=(--seed 33 --latency-ms 2 --no-progress)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 3000 --workers 2 --digests local.jsonl
"$LOCKSTEP" run "${common[@]}" --batches 3000 --workers 0 --nodes "$far,$near" \
  --token-file token --heartbeat 0.2 --connection-timeout 1 --digests cut.jsonl \
  > cut.out 2> cut.err & run=$!
wait_for '[ "$(lines cut.jsonl)" -ge 300 ]' || fail "the run made no progress: $(cat cut.err)"
grep -q "$far joined" cut.err 2>/dev/null || true
ip link set "$host_if" down
wait $run || fail "the run failed after the link was cut: $(cat cut.err)"
cmp -s local.jsonl cut.jsonl || fail "digests changed after the link was cut"
grep -q "lost" cut.err || fail "the cut-off node was not reported lost"
