# Shared by the CLI tests: the binary under test, a scratch directory, checks.
set -euo pipefail
LOCKSTEP=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# Digests of data files are cached here, not in the home directory.
export LOCKSTEP_CACHE_DIR="$WORK/cache"

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_status CODE CMD...: runs CMD, fails unless it exits with CODE.
expect_status() {
  local want=$1; shift
  local got=0
  "$@" >out.txt 2>err.txt || got=$?
  [ "$got" -eq "$want" ] || { cat err.txt >&2; fail "'$*' exited $got, expected $want"; }
}

# start_node NAME [ARGS...]: starts `lockstep node` in the background, waits
# for its "listening on" line and prints the address. PIDs go to NAME.pid.
start_node() {
  local name=$1; shift
  "$LOCKSTEP" node --listen 127.0.0.1:0 --workers 2 "$@" > "$name.out" 2> "$name.err" &
  echo $! > "$name.pid"
  wait_for "grep -q '^listening on ' $name.out" || fail "node $name did not start: $(cat "$name.err")"
  sed 's/^listening on //' "$name.out"
}

# wait_for CMD: polls CMD for up to 60 s.
wait_for() {
  local i
  for i in $(seq 600); do
    eval "$1" && return 0
    sleep 0.1
  done
  return 1
}

# lines FILE: how many lines FILE (or its temporary files FILE.tmp.XXXXXX
# while being written) holds.
lines() {
  cat "$1" "$1".tmp.* 2>/dev/null | wc -l
}

# no_temp_files FILE: fails if a temporary file of FILE is left behind.
no_temp_files() {
  local left
  left=$(ls -d "$1".tmp.* 2>/dev/null || true)
  [ -z "$left" ] || fail "temporary files left behind: $left"
}

# wait_exit PID [SECONDS]: waits up to SECONDS (default 60) for PID, a child
# of this shell, to end, and sets exit_status to its status; fails if it
# still runs. (Not in $(...): a subshell cannot wait for this shell's child.)
wait_exit() {
  local pid=$1 limit=${2:-60} i
  exit_status=0
  for i in $(seq $((limit * 10))); do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" || exit_status=$?
      return 0
    fi
    sleep 0.1
  done
  fail "process $pid still runs after $limit s"
}

# Ends every node this test started.
stop_nodes() {
  local p
  for p in *.pid; do
    [ -e "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap 'stop_nodes; rm -rf "$WORK"' EXIT
