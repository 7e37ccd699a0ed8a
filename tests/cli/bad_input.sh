# Bad usage and bad input: exit 2, a message naming the problem, no output file.
source "$(dirname "$0")/lib.sh"
check() {  # check PATTERN ARGS...: exit 2, stderr matches PATTERN, no digests file
  local pattern=$1; shift
  expect_status 2 "$LOCKSTEP" "$@" --digests out.jsonl
  grep -q -- "$pattern" err.txt || fail "'$*': stderr lacks '$pattern': $(cat err.txt)"
  [ ! -e out.jsonl ] && [ ! -e out.jsonl.tmp ] || fail "'$*' left an output file"
}
check "--seed N" run --batches 3
check "excludes" run --seed 1 --resume x.json --batches 3
check "missing.json" run --resume missing.json --batches 3
echo '' > empty.json
check "empty.json: is empty" run --resume empty.json --batches 3
echo '{"format":' > trunc.json
check "trunc.json: not valid JSON" run --resume trunc.json --batches 3
echo '{"a":1}' > foreign.json
check "not a lockstep state" run --resume foreign.json --batches 3
echo '{"format":"lockstep-state","version":1,"source":"signals","source_version":1,"index":0,"state":{}}' > other.json
check '"signals", not "synthetic"' run --resume other.json --batches 3
echo '{"format":"lockstep-state","version":7,"source":"synthetic","source_version":1,"index":0,"state":{}}' > v7.json
check "format version 7" run --resume v7.json --batches 3
check "buffer must be at least 1" run --seed 1 --batches 3 --buffer 0
check "must not be negative" run --seed 1 --batches 3 --workers -2
check "latency_ms" run --seed 1 --batches 3 --latency-ms -1
check "--batches K" run --seed 1
check "source" run --source nope --seed 1 --batches 3
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 3 --digests /nonexistent-dir/x.jsonl
grep -q "/nonexistent-dir/x.jsonl" err.txt || fail "unwritable digests file not named"
expect_status 2 "$LOCKSTEP"
