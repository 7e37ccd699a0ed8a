# Bad datasets and signals options: exit 2, a message naming the problem, no
# output file, before any batch.
source "$(dirname "$0")/lib.sh"
check() {  # check PATTERN ARGS...: exit 2, stderr matches PATTERN, no digests file
  local pattern=$1; shift
  expect_status 2 "$LOCKSTEP" "$@" --digests out.jsonl
  grep -q -- "$pattern" err.txt || fail "'$*': stderr lacks '$pattern': $(cat err.txt)"
  [ ! -e out.jsonl ] || fail "'$*' left an output file"
  no_temp_files out.jsonl
}
expect_status 0 "$LOCKSTEP" make-dataset data --recordings 2 --minutes 5 --channels 3 \
  --sample-rate 32
run=(run --source signals --seed 1 --batches 3)
check "needs --dataset" "${run[@]}"
check "nowhere: does not exist" "${run[@]}" --dataset nowhere
check "whole number of epochs" "${run[@]}" --dataset data --window-seconds 31
check "window_seconds must be > 0" "${run[@]}" --dataset data --window-seconds 0
check "longer than the labels of recording 0" "${run[@]}" --dataset data --window-seconds 330
check "n_channels is 4 but recording 0" "${run[@]}" --dataset data --n-channels 4
check "batch_size must be at least 1" "${run[@]}" --dataset data --batch-size 0
check "batch_size is 4294967295; at most 65536" "${run[@]}" --dataset data --batch-size 4294967295
check "--batch-size: must not be negative" "${run[@]}" --dataset data --batch-size -1
check "--item-bytes does not apply to --source signals" "${run[@]}" --dataset data --item-bytes 9
check "--dataset does not apply to --source synthetic" run --seed 1 --batches 3 --dataset data
check "give --batches K" run --source signals --seed 1 --dataset data
echo '{"format":"lockstep-state","version":1,"source":"synthetic","source_version":1,"index":0,"state":{}}' > syn.json
check '"synthetic", not "signals"' run --source signals --dataset data --resume syn.json --batches 3
echo '{"format":"lockstep-state","version":2,"source":"signals","source_version":2,"index":0,"state":{"rng":"xoshiro256**","s":["0","0","0","0"],"index":0}}' > zero.json
check "all zeros" run --source signals --dataset data --resume zero.json --batches 3

mkdir trunc && cp data/* trunc/
truncate -s -100 trunc/SL0001E0-PSG.edf
check "trunc/SL0001E0-PSG.edf: " "${run[@]}" --dataset trunc
mkdir junk && cp data/* junk/
printf '0       not a hypnogram' > junk/SL0000EC-Hypnogram.edf
check "junk/SL0000EC-Hypnogram.edf: " "${run[@]}" --dataset junk
mkdir stray && cp data/SL0000E0-PSG.edf data/SL0001EC-Hypnogram.edf stray/
check "stray/SL0001EC-Hypnogram.edf: belongs to no recording" "${run[@]}" --dataset stray

expect_status 2 "$LOCKSTEP" make-dataset out --channels 0
grep -q "channels must be 1 to 64" err.txt || fail "make-dataset --channels 0: $(cat err.txt)"
[ ! -e out ] || fail "make-dataset with bad options created its directory"
touch afile
expect_status 2 "$LOCKSTEP" make-dataset afile/sub
grep -q "afile/sub" err.txt || fail "make-dataset into a file: $(cat err.txt)"

# A dangling link is an error naming it, not one recording fewer.
mkdir links && cp data/* links/ && ln -s nowhere-PSG.edf links/SL0009E0-PSG.edf
check "links/SL0009E0-PSG.edf: is a symbolic link to nowhere-PSG.edf, which does not exist" \
  "${run[@]}" --dataset links
# Out of descriptors is said so (each recording keeps one file open).
expect_status 0 "$LOCKSTEP" make-dataset many --recordings 24 --minutes 2 --channels 1 \
  --sample-rate 32
(ulimit -n 20; check "Too many open files.*ulimit -n" "${run[@]}" --dataset many)
