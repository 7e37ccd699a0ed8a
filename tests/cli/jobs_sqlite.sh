# `lockstep jobs sqlite`: a job over 200 000 rows, killed with SIGKILL and
# resumed from its checkpoint, leaves every row updated, and the watermark
# it had saved never passed a page not done; a page that always fails exits
# 1 naming it; bad input exits 2 naming the problem and changes nothing.
source "$(dirname "$0")/lib.sh"
py() { python3 -c "$@"; }
py '
import sqlite3
db = sqlite3.connect("shop.db")
db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, price INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0)")
db.executemany("INSERT INTO items (id, price) VALUES (?, ?)", ((i, i % 97) for i in range(1, 200001)))
db.execute("CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)")
db.commit()'
count() { py "import sqlite3; print(sqlite3.connect('shop.db').execute(\"$1\").fetchone()[0])"; }
mark="UPDATE items SET done = 1 WHERE id BETWEEN :first AND :last"
base=(jobs sqlite --page-size 500 --no-progress)
job=("${base[@]}" --db shop.db --table items --key id)

# 400 pages at most 400 a second: killed about a quarter of the way.
"$LOCKSTEP" "${job[@]}" --sql "$mark" --workers 3 --checkpoint ck.json --checkpoint-every 0.05 \
  --max-pages-per-second 400 > killed.out 2> killed.err &
pid=$!
index_of() { py 'import json,sys; print(json.load(open(sys.argv[1]))["index"])' "$1" 2>/dev/null || echo 0; }
wait_for '[ "$(index_of ck.json)" -ge 60 ]' || fail "no checkpoint past page 60: $(cat killed.err)"
kill -KILL "$pid"
wait_exit "$pid"
[ "$exit_status" -eq 137 ] || fail "the job ended by itself before the kill ($exit_status)"
no_temp_files ck.json
# What the checkpoint says is done is done: every page below the watermark
# and each page it lists beyond it (page i holds ids 500 i + 1 ... 500 i + 500).
read -r k after ahead < <(py '
import json
c = json.load(open("ck.json"))
s = c["state"]
print(c["index"], s["watermark"]["after"], ",".join(str(o) for o in s["done_ahead"]) or "-")')
[ "$k" -lt 400 ] || fail "the checkpoint is at the end already"
[ "$after" -eq $((k * 500)) ] || fail "watermark $k does not stand after key $((k * 500)) but $after"
[ "$(count "SELECT count(*) FROM items WHERE id <= $after AND done = 0")" -eq 0 ] \
  || fail "the watermark passed a page that was not done"
if [ "$ahead" != "-" ]; then
  for o in ${ahead//,/ }; do
    first=$(( (k + o) * 500 + 1 ))
    [ "$(count "SELECT count(*) FROM items WHERE id BETWEEN $first AND $((first + 499)) AND done = 0")" -eq 0 ] \
      || fail "page $((k + o)) is listed done but is not"
  done
fi
[ "$(count "SELECT count(*) FROM items WHERE done = 0")" -gt 0 ] || fail "every row was done before the kill"

# Resumed (the same file as checkpoint, another worker count): every row.
expect_status 0 "$LOCKSTEP" "${job[@]}" --sql "$mark" --workers 2 --resume ck.json --checkpoint ck.json
[ "$(count "SELECT count(*) FROM items WHERE done = 0")" -eq 0 ] || fail "rows left undone: $(cat err.txt)"
grep -q "checkpoint writes to ck.json" err.txt || fail "no write count: $(cat err.txt)"
[ "$(index_of ck.json)" -eq 400 ] || fail "the last checkpoint is not at the end"

# A full run counts pages and rows.
expect_status 0 "$LOCKSTEP" "${job[@]}" --sql "UPDATE items SET done = 2 WHERE id BETWEEN :first AND :last"
grep -q "400 pages (200000 rows)" err.txt || fail "wrong summary: $(cat err.txt)"

# A page that fails every attempt (a NOT NULL constraint on id 777, page 1).
expect_status 1 "$LOCKSTEP" "${job[@]}" \
  --sql "UPDATE items SET price = CASE WHEN id = 777 THEN NULL ELSE price END WHERE id BETWEEN :first AND :last"
grep -q "page 1 failed" err.txt || fail "the failed page is not named: $(cat err.txt)"
grep -q "NOT NULL" err.txt || fail "the error is not given: $(cat err.txt)"
grep -q "400 pages" err.txt || fail "the job did not go on past the failed page: $(cat err.txt)"
expect_status 1 "$LOCKSTEP" "${job[@]}" --stop-on-failure \
  --sql "UPDATE items SET price = CASE WHEN id = 777 THEN NULL ELSE price END WHERE id BETWEEN :first AND :last"
grep -q "page 1 failed" err.txt || fail "--stop-on-failure does not name the page: $(cat err.txt)"

# Bad input: exit 2, naming it, changing nothing.
before=$(count "SELECT sum(done) FROM items")
expect_status 2 "$LOCKSTEP" "${base[@]}" --db shop.db --table nope --key id --sql "$mark"
grep -q "nope" err.txt || fail "the missing table is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" "${base[@]}" --db shop.db --table items --key price --sql "$mark"
grep -q "price" err.txt || fail "the bad key is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" jobs sqlite --db shop.db --table notes --key id --sql "$mark" --no-progress
grep -qi "integer primary key" err.txt || fail "a TEXT key is not refused as such: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" "${job[@]}" --sql "UPDATE items SET done = 3 WHER id BETWEEN :first AND :last"
grep -q "WHER\|syntax" err.txt || fail "bad SQL is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" "${base[@]}" --db missing.db --table items --key id --sql "$mark"
grep -q "missing.db" err.txt || fail "the missing file is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" "${job[@]}" --sql "$mark" --checkpoint no/dir/ck.json
grep -q "no/dir/ck.json" err.txt || fail "the bad checkpoint path is not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" "${job[@]}" --sql "$mark" --max-pages-per-second -1
grep -q -- "--max-pages-per-second" err.txt || fail "a negative rate is not named: $(cat err.txt)"
echo '{"format":"lockstep-state"}' > bad.json
expect_status 2 "$LOCKSTEP" "${job[@]}" --sql "$mark" --resume bad.json
grep -q "bad.json" err.txt || fail "the bad checkpoint is not named: $(cat err.txt)"
[ "$(count "SELECT sum(done) FROM items")" = "$before" ] || fail "refused input changed rows"
[ ! -e missing.db ] || fail "a missing database was created"
echo "jobs_sqlite: ok"
