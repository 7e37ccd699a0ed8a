# Runs of one source sharing a node are isolated: three `lockstep run`
# processes started a little apart on one node, without retries, each give
# the digests of a local run.
source "$(dirname "$0")/lib.sh"
a=$(start_node n)
common=(--seed 33 --batches 1500 --latency-ms 1 --no-progress --retries 0)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --workers 2 --digests local.jsonl
runs=()
for i in 1 2 3; do
  "$LOCKSTEP" run "${common[@]}" --workers 0 --nodes "$a" --digests "r$i.jsonl" \
    > "r$i.out" 2> "r$i.err" & runs+=($!)
  # the next one starts once this one is under way
  wait_for '[ "$(lines r'"$i"'.jsonl)" -ge 100 ]' || fail "run $i made no progress: $(cat "r$i.err")"
done
for i in 1 2 3; do
  wait "${runs[$((i - 1))]}" || fail "run $i failed: $(cat "r$i.err")"
  cmp -s local.jsonl "r$i.jsonl" || fail "run $i's digests differ from the local run's"
done
