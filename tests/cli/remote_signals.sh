# The signals source on two nodes gives the digests of local workers; a node
# whose filesystem lacks the dataset refuses the run, naming itself and the path.
source "$(dirname "$0")/lib.sh"
mkdir here elsewhere
cd here
expect_status 0 "$LOCKSTEP" make-dataset data --recordings 3 --minutes 10 --channels 3 \
  --sample-rate 32 --seed 4
args=(run --source signals --dataset data --batch-size 8 --window-seconds 60 --n-channels 2
      --seed 9 --batches 60 --no-progress)
expect_status 0 "$LOCKSTEP" "${args[@]}" --workers 2 --digests local.jsonl
a=$(start_node a); b=$(start_node b)
expect_status 0 "$LOCKSTEP" "${args[@]}" --workers 0 --nodes "$a,$b" --digests remote.jsonl
cmp -s local.jsonl remote.jsonl || fail "--nodes differs from local workers for signals"

# A node started elsewhere does not see the relative path "data".
cd ../elsewhere
far=$(start_node far)
cd ../here
expect_status 2 "$LOCKSTEP" "${args[@]}" --workers 0 --nodes "$far"
grep -q "node $far: dataset data does not exist" err.txt || fail "unclear: $(cat err.txt)"
mv ../elsewhere/far.pid .  # so stop_nodes ends it
