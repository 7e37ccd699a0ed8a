#!/usr/bin/env bash
# Tests that bite: breaks the contract's key lines one at a time (in place,
# restored afterwards), rebuilds the dev preset's test programs, runs the
# suites, and reports each mutation as killed (a test failed or hung) or
# survived. Every mutation must be killed.
#
# Usage: scripts/mutants.sh [--quick] [NAME...]
#   --quick  only the mutations CI runs
#   NAME     only these mutations (scripts/mutants.py lists them all)
# About a minute per mutation on 2 cores after the dev build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec python3 scripts/mutants.py "$@"
