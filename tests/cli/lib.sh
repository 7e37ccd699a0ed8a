# Shared by the CLI tests: the binary under test, a scratch directory, checks.
set -euo pipefail
LOCKSTEP=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_status CODE CMD...: runs CMD, fails unless it exits with CODE.
expect_status() {
  local want=$1; shift
  local got=0
  "$@" >out.txt 2>err.txt || got=$?
  [ "$got" -eq "$want" ] || { cat err.txt >&2; fail "'$*' exited $got, expected $want"; }
}
