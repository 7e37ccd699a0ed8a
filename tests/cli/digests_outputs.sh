# --digests never lies and never clobbers: a failed write is exit 1 and
# publishes nothing; FIFOs, devices and "-" are written directly, never
# replaced; a symlink is written through; two runs never share a temporary
# file; the checkpoint being resumed, a directory or an unwritable place are
# refused (exit 2) before the first batch. Every path is inside the test's
# own directory, except /dev/null, which is only written to.
source "$(dirname "$0")/lib.sh"
common=(--seed 4 --no-progress --workers 2)
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 300 --digests ref.jsonl
[ "$(wc -l < ref.jsonl)" -eq 300 ] || fail "expected 300 reference lines"

# A full disk, as a file size limit (no privileges needed): the write fails
# with EFBIG (SIGXFSZ ignored), the run exits 1 naming the file, and neither
# a cut file nor a temporary one is left; an earlier file stays as it was.
echo "earlier" > full.jsonl
status=0
(ulimit -f 16; trap '' XFSZ; exec "$LOCKSTEP" run "${common[@]}" --batches 3000 \
   --digests full.jsonl) > out.txt 2> err.txt || status=$?
[ "$status" -eq 1 ] || fail "a full disk: exit $status, expected 1: $(cat err.txt)"
grep -q "full.jsonl" err.txt && grep -qi "too large\|no space" err.txt \
  || fail "a full disk is not named: $(cat err.txt)"
[ "$(cat full.jsonl)" = "earlier" ] || fail "a failed run replaced the earlier digests file"
no_temp_files full.jsonl

# A FIFO is written directly (a reader sees every line) and stays a FIFO;
# so does one reached through a symlink.
mkfifo fifo
ln -s fifo fifo-link
for f in fifo fifo-link; do
  cat "$f" > "from-$f.jsonl" & reader=$!
  expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 300 --digests "$f"
  [ -p fifo ] || { kill $reader; fail "--digests $f replaced the FIFO"; }
  wait "$reader"
  cmp -s ref.jsonl "from-$f.jsonl" || fail "the reader of $f did not get every line"
  no_temp_files fifo
done
[ -L fifo-link ] || fail "the link to the FIFO was replaced"

# A symlink to a regular file is written through: the link stays, its
# target holds the digests.
mkdir sub
echo old > sub/target.jsonl
ln -s sub/target.jsonl link.jsonl
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 300 --digests link.jsonl
[ -L link.jsonl ] || fail "the symlink was replaced by a file"
cmp -s ref.jsonl sub/target.jsonl || fail "the link's target does not hold the digests"
no_temp_files link.jsonl
no_temp_files sub/target.jsonl

# "-" streams to stdout (the summary goes to stderr); /dev/null discards
# and stays a device.
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 300 --digests -
cmp -s ref.jsonl out.txt || fail "--digests - did not stream the digests alone to stdout"
grep -q "300 batches" err.txt || fail "--digests -: no summary on stderr: $(cat err.txt)"
expect_status 0 "$LOCKSTEP" run "${common[@]}" --batches 50 --digests /dev/null
[ -c /dev/null ] || fail "/dev/null is no longer a character device"

# The checkpoint --resume reads, by its name, another path, a symlink or a
# hard link: refused before anything is written, the checkpoint unchanged.
sed -n 100p ref.jsonl | python3 -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())["state"]))' > s100.json
cp s100.json s100.orig
ln -s s100.json s100-link.json
ln s100.json s100-hard.json
for d in s100.json ./s100.json s100-link.json s100-hard.json; do
  expect_status 2 "$LOCKSTEP" run --resume s100.json --batches 10 --no-progress --digests "$d"
  grep -q "is the checkpoint --resume reads" err.txt || fail "--digests $d: $(cat err.txt)"
  cmp -s s100.json s100.orig || fail "--digests $d changed the checkpoint"
done

# A directory is refused before the first batch: batch 0 would create the
# crash marker (and crash the run).
mkdir adir
expect_status 2 "$LOCKSTEP" run "${common[@]}" --batches 300 --crash-index 0 \
  --crash-file batch0-ran --digests adir
grep -q "adir: is a directory" err.txt || fail "a directory as --digests: $(cat err.txt)"
[ ! -e batch0-ran ] || fail "the run went ahead before refusing the directory"
[ -d adir ] && [ -z "$(ls -A adir)" ] || fail "the directory was changed"
no_temp_files adir

# Two runs given one path each publish a whole file of their own.
"$LOCKSTEP" run --seed 1 --batches 400 --latency-ms 2 --workers 1 --no-progress \
  --digests both.jsonl > a.out 2> a.err & a=$!
"$LOCKSTEP" run --seed 2 --batches 400 --latency-ms 2 --workers 1 --no-progress \
  --digests both.jsonl > b.out 2> b.err & b=$!
wait $a || fail "run a failed: $(cat a.err)"
wait $b || fail "run b failed: $(cat b.err)"
expect_status 0 "$LOCKSTEP" run --seed 1 --batches 400 --no-progress --digests one.jsonl
expect_status 0 "$LOCKSTEP" run --seed 2 --batches 400 --no-progress --digests two.jsonl
cmp -s both.jsonl one.jsonl || cmp -s both.jsonl two.jsonl \
  || fail "two runs on one path published a mix"
no_temp_files both.jsonl
