# --stats-json appends one JSON line of the batcher's stats every
# --stats-every seconds and one at the end; scripts/plot-stats draws them as
# a PNG; a place no file can be opened in, or a bad interval, is refused
# (exit 2) naming it, before any batch.
PLOT="$(cd "$(dirname "$0")/../.." && pwd)/scripts/plot-stats"
source "$(dirname "$0")/lib.sh"
common=(--seed 3 --no-progress --workers 2 --latency-ms 1)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 400 --stats-json stats.jsonl \
  --stats-every 0.05
python3 - stats.jsonl <<'PY' || fail "stats.jsonl: $(head -c 600 stats.jsonl)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) >= 3, f"{len(lines)} lines"  # 400 batches on 2 workers: about 0.2 s
for s in lines:
    assert s["status"] in ("running", "done"), s
    assert s["ahead"] + s["in_flight"] <= s["issued"], s
ts = [s["t"] for s in lines]
assert ts == sorted(ts), ts
last = lines[-1]
assert last["batches"] == 400 and last["delivered"] == 400, last
assert last["pool"] == 2 and last["restarts"] == 1 and last["retries"] == 0, last
# Two local workers, each busy a share of the time, that did all the jobs.
assert [w["node"] for w in last["workers"]] == ["", ""], last
assert all(0 <= w["busy"] <= 1 and w["busy_s"] > 0 for w in last["workers"]), last
assert sum(w["jobs"] for w in last["workers"]) >= 1, last
assert any(w["busy"] > 0.1 for s in lines for w in s["workers"]), lines
PY
# A second run appends.
before=$(wc -l < stats.jsonl)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 10 --stats-json stats.jsonl
[ "$(wc -l < stats.jsonl)" -gt "$before" ] || fail "the second run did not append"

bash "$PLOT" stats.jsonl stats.png 2> plot.err || fail "plot-stats failed: $(cat plot.err)"
[ "$(head -c 8 stats.png | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
  || fail "plot-stats wrote no PNG"

expect_status 2 "$LOCKSTEP" run "${common[@]}" --batches 10 --stats-json no/such/dir/s.jsonl \
  --digests d.jsonl
grep -q "no/such/dir/s.jsonl" err.txt || fail "the bad path is not named: $(cat err.txt)"
[ ! -e d.jsonl ] || fail "a refused run wrote digests"
expect_status 2 "$LOCKSTEP" run "${common[@]}" --batches 10 --stats-json s.jsonl --stats-every 0
grep -q -- "--stats-every" err.txt || fail "a zero interval is not named: $(cat err.txt)"
echo "stats_json: ok"
