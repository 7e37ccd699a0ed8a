# Connections that never finish the handshake: 150 idle ones (more than the
# node's descriptor limit leaves room for) must not keep a real client out,
# and the node closes them after its handshake timeout.
source "$(dirname "$0")/lib.sh"
# A descriptor limit a few idle connections can exhaust, as a busy host's would.
a=$(ulimit -n 128; start_node n --handshake-timeout 2)
pid=$(cat n.pid)
port=${a##*:}
fds_of_node() { ls "/proc/$pid/fd" | wc -l; }
base=$(fds_of_node)

fds=()
for i in $(seq 150); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$port" || fail "connect $i failed"
  fds+=("$fd")
done
# While they are all open (from this test's view), a real run succeeds.
common=(--seed 9 --batches 100 --latency-ms 0 --no-progress)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --workers 2 --digests local.jsonl
expect_status 0 "$LOCKSTEP" run "${common[@]}" --workers 0 --nodes "$a" --digests remote.jsonl
cmp -s local.jsonl remote.jsonl || fail "the node's digests differ from local workers'"
peak=$(fds_of_node)
echo "node descriptors: $base before, $peak with 150 idle connections held"
# The node closes the idle ones within the handshake timeout; its
# descriptors come back to where they were (the run's connection is gone too).
wait_for '[ "$(fds_of_node)" -le "$base" ]' \
  || fail "the node still holds $(fds_of_node) descriptors (was $base)"
for fd in "${fds[@]}"; do exec {fd}>&-; done
