# Ranks through the command: for 1 to 4 ranks the shares' digests are
# disjoint and make up the run without ranks, every rank takes the same
# number of steps; a checkpoint of rank 0 of 2 resumes 3 ranks continuing
# the global stream; split parts of signals batches; bad input refused.
source "$(dirname "$0")/lib.sh"
syn=(run --source synthetic --length 23 --seed 3 --no-progress)
pairs() {  # FILE...: "index digest" lines, sorted
  cat "$@" | python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line)
    print(d["index"], d["digest"])' | sort -n
}
expect_status 0 "$LOCKSTEP" "${syn[@]}" --digests whole.jsonl
pairs whole.jsonl > whole.txt
[ "$(wc -l < whole.txt)" -eq 23 ] || fail "the run without ranks is not 23 batches"
for world in 1 2 3 4; do
  steps=$(( (23 + world - 1) / world ))
  files=()
  for rank in $(seq 0 $((world - 1))); do
    expect_status 0 "$LOCKSTEP" "${syn[@]}" --world-size "$world" --rank "$rank" \
      --workers 2 --digests "r$world.$rank.jsonl"
    grep -q "^lockstep run: $steps batches" out.txt ||
      fail "rank $rank of $world did not take $steps steps: $(cat out.txt)"
    files+=("r$world.$rank.jsonl")
  done
  pairs "${files[@]}" > union.txt
  cmp -s whole.txt union.txt || fail "the $world ranks' lines are not the run without ranks"
done
grep -q "rank 3 of 4 (interleave), 1 steps past the end" out.txt ||
  fail "the masked tail step is not reported: $(cat out.txt)"

# Rank 0 of 2 checkpoints after 5 steps: 10 global batches lie behind it.
expect_status 0 "$LOCKSTEP" "${syn[@]}" --world-size 2 --rank 0 --batches 5 --checkpoint ck.json
grep -q '"index":10' ck.json || fail "the checkpoint is not at global index 10: $(cat ck.json)"
files=()
for rank in 0 1 2; do
  expect_status 0 "$LOCKSTEP" run --source synthetic --length 23 --resume ck.json --no-progress \
    --world-size 3 --rank "$rank" --digests "resumed.$rank.jsonl"
  files+=("resumed.$rank.jsonl")
done
pairs "${files[@]}" > resumed.txt
sed -n 11,23p whole.txt > rest.txt
cmp -s rest.txt resumed.txt || fail "3 ranks resumed from 2 ranks' checkpoint do not continue the stream"

# Split: every rank a part of every signals batch, all on the same steps.
expect_status 0 "$LOCKSTEP" make-dataset data --recordings 2 --minutes 10 --channels 2 \
  --sample-rate 32 --seed 4
sig=(run --source signals --dataset data --batch-size 5 --window-seconds 30 --seed 1 --batches 6
     --no-progress)
expect_status 0 "$LOCKSTEP" "${sig[@]}" --digests plain.jsonl
expect_status 0 "$LOCKSTEP" "${sig[@]}" --world-size 1 --shard split --digests one.jsonl
cmp -s plain.jsonl one.jsonl || fail "one rank's split is not the whole batch"
for rank in 0 1; do
  expect_status 0 "$LOCKSTEP" "${sig[@]}" --world-size 2 --rank "$rank" --shard split \
    --digests "split.$rank.jsonl"
done
[ "$(pairs split.0.jsonl | cut -d' ' -f1)" = "$(pairs plain.jsonl | cut -d' ' -f1)" ] ||
  fail "split parts do not carry their batch's global index"
cmp -s split.0.jsonl split.1.jsonl && fail "both ranks got the same part"

expect_status 2 "$LOCKSTEP" "${syn[@]}" --world-size 3 --rank 3
grep -q -- "--rank 3 is not below --world-size 3" err.txt || fail "$(cat err.txt)"
expect_status 2 "$LOCKSTEP" "${syn[@]}" --world-size 2 --shard split
grep -q "cannot be split" err.txt || fail "split of synthetic batches: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" "${syn[@]}" --world-size 2 --spawn-nodes 1
grep -q -- "--spawn-nodes" err.txt || fail "ranks with nodes: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" "${syn[@]}" --rank 1
grep -q -- "--world-size" err.txt || fail "--rank without --world-size: $(cat err.txt)"
echo "ranks: ok"
