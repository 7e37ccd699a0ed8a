# The signals source on two nodes gives the digests of local workers; a node
# whose filesystem lacks the dataset refuses the run, naming itself and the
# path; a node whose "data" holds other data (the same names and sizes)
# refuses it naming the recording, and the run goes on with the others.
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

# A node that finds other data under the same relative path: with a good node
# beside it, the run gets the local digests and says why the other left.
mkdir ../stale
(cd ../stale && "$LOCKSTEP" make-dataset data --recordings 3 --minutes 10 --channels 3 \
  --sample-rate 32 --seed 5 >/dev/null)
cd ../stale
old=$(start_node old)
cd ../here
mv ../stale/old.pid .
expect_status 0 "$LOCKSTEP" "${args[@]}" --workers 0 --nodes "$old,$a" --digests mixed.jsonl
cmp -s local.jsonl mixed.jsonl || fail "a node with other data changed the digests"
grep -q "node $old.*differs from the run's: recordings\[SL0000E0\].samples" err.txt \
  || fail "the stale node's refusal is not named: $(cat err.txt)"
# Alone, it fails the run clearly.
expect_status 2 "$LOCKSTEP" "${args[@]}" --workers 0 --nodes "$old"
grep -q "recordings\[SL0000E0\].samples" err.txt || fail "unclear: $(cat err.txt)"
