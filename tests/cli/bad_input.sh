# Bad usage and bad input: exit 2, a message naming the problem, no output file.
source "$(dirname "$0")/lib.sh"
check() {  # check PATTERN ARGS...: exit 2, stderr matches PATTERN, no digests file
  local pattern=$1; shift
  expect_status 2 "$LOCKSTEP" "$@" --digests out.jsonl
  grep -q -- "$pattern" err.txt || fail "'$*': stderr lacks '$pattern': $(cat err.txt)"
  [ ! -e out.jsonl ] || fail "'$*' left an output file"
  no_temp_files out.jsonl
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
# Absurd values: refused naming the option, never wrapped, truncated or
# cast into others.
check "--seed: must not be negative" run --seed -1 --batches 3
check "--seed: must be at most 18446744073709551615" run --seed 18446744073709551616 --batches 3
check "--batches: must be a whole number" run --seed 1 --batches 1e3
check "--workers is 5000; at most 4096" run --seed 1 --batches 3 --workers 5000
check "--buffer is 1000000000000; at most 1048576" run --seed 1 --batches 3 --buffer 1000000000000
check "--spawn-nodes is 100000; at most 1024" run --seed 1 --batches 3 --spawn-nodes 100000
check "--shm-bytes must be 0 (off) or at least 1048576" run --seed 1 --batches 3 --shm-bytes 1000
echo '{"remote": {"shm_bytes": 5}}' > shm.json
check "config.remote.shm_bytes is 5; 0 (off) or at least 1048576" run --seed 1 --batches 3 --config shm.json
check "latency_ms must be a finite number in \[0, 86400000\]" run --seed 1 --batches 3 --latency-ms 1e300
check "latency_ms" run --seed 1 --batches 3 --latency-ms nan
check "latency_ms" run --seed 1 --batches 3 --latency-ms inf
check "--retry-delay-ms must be a number of milliseconds in \[0, 1e9\]" run --seed 1 --batches 3 --retry-delay-ms 1e300
check "--retry-delay-ms" run --seed 1 --batches 3 --retry-delay-ms nan
echo '{"buffer": 1000000000000}' > huge.json
check "config.buffer is 1000000000000" run --seed 1 --batches 3 --config huge.json
echo '{"retry": {"max_delay_ms": 1e12}}' > slow.json
check "config.retry.max_delay_ms must be at most 1e9" run --seed 1 --batches 3 --config slow.json
for w in -1 5000 18446744073709551616; do
  expect_status 2 "$LOCKSTEP" node --listen 127.0.0.1:0 --workers "$w"
  grep -q -- "--workers" err.txt || fail "node --workers $w: $(cat err.txt)"
done
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 3 --digests /nonexistent-dir/x.jsonl
grep -q "/nonexistent-dir/x.jsonl" err.txt || fail "unwritable digests file not named"
expect_status 2 "$LOCKSTEP"
