# Signals that end `lockstep run`: SIGINT, SIGTERM, SIGHUP and SIGPIPE each
# stop it promptly with exit 128+N and publish the digests written so far,
# every line whole and equal to the start of a full run. SIGUSR1 is not
# taken over: it keeps its default action (the run ends, 138). A reader of
# --digests - that goes away ends the run quietly (141, no error message).
source "$(dirname "$0")/lib.sh"
common=(--seed 6 --latency-ms 1 --workers 2 --no-progress)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 400 --digests ref.jsonl

# interrupt SIGNAL STATUS: the run's digests after SIGNAL are whole lines
# that begin the reference run.
interrupt() {
  local sig=$1 want=$2 out="$1.jsonl"
  "$LOCKSTEP" run "${common[@]}" --batches 100000 --digests "$out" > "$sig.out" 2> "$sig.err" & run=$!
  wait_for "[ \"\$(lines $out)\" -ge 100 ]" || fail "$sig: the run made no progress"
  kill -"$sig" $run
  wait_exit $run 60
  [ "$exit_status" -eq "$want" ] || fail "SIG$sig: exit $exit_status, expected $want: $(cat "$sig.err")"
  [ -f "$out" ] || fail "SIG$sig: the digests were not published"
  no_temp_files "$out"
  local n
  n=$(wc -l < "$out")
  [ "$n" -ge 100 ] || fail "SIG$sig: only $n lines published"
  [ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" = '\n' ] || fail "SIG$sig: the last line is cut"
  local m=$(( n < 400 ? n : 400 ))
  cmp -s <(head -n "$m" ref.jsonl) <(head -n "$m" "$out") \
    || fail "SIG$sig: the published digests differ from the start of a full run"
}
interrupt INT 130
interrupt TERM 143
interrupt HUP 129
interrupt PIPE 141

# SIGUSR1 was the watcher's private "stop watching" signal: after one from
# outside, SIGINT no longer stopped the run. Now it keeps its default action.
"$LOCKSTEP" run "${common[@]}" --batches 100000 --digests usr1.jsonl > usr1.out 2> usr1.err & run=$!
wait_for '[ "$(lines usr1.jsonl)" -ge 50 ]' || fail "USR1: the run made no progress"
kill -USR1 $run
for i in $(seq 300); do kill -0 $run 2>/dev/null || break; sleep 0.1; done
if kill -0 $run 2>/dev/null; then
  kill -KILL $run  # the old behaviour: SIGUSR1 swallowed, and SIGINT with it
  fail "SIGUSR1 was swallowed: the run went on"
fi
wait_exit $run 5
[ "$exit_status" -eq 138 ] || fail "SIGUSR1: exit $exit_status, expected 138 (its default action)"

# A reader that goes away: EPIPE is the clean end of --digests -.
set +o pipefail
"$LOCKSTEP" run "${common[@]}" --batches 100000 --digests - 2> pipe.err | head -n 5 > head.txt
status=${PIPESTATUS[0]}
set -o pipefail
[ "$status" -eq 141 ] || fail "--digests - | head: exit $status, expected 141: $(cat pipe.err)"
[ "$(wc -l < head.txt)" -eq 5 ] || fail "head did not get 5 lines"
! grep -q "cannot be written" pipe.err || fail "a closed pipe was reported as an error: $(cat pipe.err)"
cmp -s head.txt <(head -n 5 ref.jsonl) || fail "the streamed lines differ from the reference"
