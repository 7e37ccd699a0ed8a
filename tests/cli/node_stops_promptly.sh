# A node stopped (SIGTERM) while a run is using it exits within 3 s, every
# time: its remote workers must not keep CAF's shutdown waiting.
source "$(dirname "$0")/lib.sh"
for i in $(seq 1 8); do
  a=$(start_node "n$i")
  "$LOCKSTEP" run --seed "$i" --batches 100000 --workers 0 --nodes "$a" --latency-ms 1 \
    --no-worker-timeout 1 --no-progress --digests "d$i.jsonl" > "r$i.out" 2> "r$i.err" & run=$!
  wait_for '[ "$(lines d'"$i"'.jsonl)" -ge 20 ]' || fail "run $i made no progress: $(cat "r$i.err")"
  pid=$(cat "n$i.pid")
  kill -TERM "$pid"
  for t in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
    fail "stop $i: the node was still running 3 s after SIGTERM"
  fi
  wait "$pid" 2>/dev/null || true
  kill "$run" 2>/dev/null || true
  wait "$run" 2>/dev/null || true
done
