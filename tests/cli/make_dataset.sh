# make-dataset writes Sleep-EDF-style pairs, the same bytes for the same seed;
# whole or not at all: a directory holding files is refused (exit 2), a full
# disk is exit 1 with no directory published. --layout sleep-edf writes
# Sleep-EDF's own names and signals, which `run` opens.
source "$(dirname "$0")/lib.sh"
for d in a b; do
  expect_status 0 "$LOCKSTEP" make-dataset "$d" --recordings 2 --minutes 3 --channels 2 \
    --sample-rate 64 --seed 12
done
expect_status 0 "$LOCKSTEP" make-dataset c --recordings 2 --minutes 3 --channels 2 \
  --sample-rate 64 --seed 13
grep -q "wrote 2 recordings" out.txt || fail "no summary: $(cat out.txt)"
[ "$(ls a)" = "$(printf '%s\n' SL0000E0-PSG.edf SL0000EC-Hypnogram.edf SL0001E0-PSG.edf SL0001EC-Hypnogram.edf)" ] \
  || fail "unexpected files: $(ls a)"
for f in a/*; do
  cmp -s "$f" "b/${f#a/}" || fail "$f differs between two runs with one seed"
done
! cmp -s a/SL0000E0-PSG.edf c/SL0000E0-PSG.edf || fail "another seed wrote the same signals"

# A directory holding files (here an earlier, larger dataset whose extra
# recordings the next run would use) is refused, named, and left as it was.
expect_status 0 "$LOCKSTEP" make-dataset big --recordings 3 --minutes 3 --sample-rate 64
before=$(ls -l big | md5sum)
expect_status 2 "$LOCKSTEP" make-dataset big --recordings 2 --minutes 3 --sample-rate 64
grep -q "big: is not empty" err.txt || fail "a non-empty directory is not named: $(cat err.txt)"
[ "$(ls -l big | md5sum)" = "$before" ] || fail "the refused directory was changed"
mkdir empty
expect_status 0 "$LOCKSTEP" make-dataset empty --recordings 1 --minutes 3 --sample-rate 64
[ "$(ls empty | wc -l)" -eq 2 ] || fail "an empty directory was not filled: $(ls empty)"

# A full disk, as a file size limit (SIGXFSZ ignored, so writes fail with
# EFBIG): exit 1 naming a file, and nothing published, not even a directory.
status=0
(ulimit -f 64; trap '' XFSZ; exec "$LOCKSTEP" make-dataset full --recordings 2 --minutes 60 \
   --channels 2 --sample-rate 128) > out.txt 2> err.txt || status=$?
[ "$status" -eq 1 ] || fail "a full disk: exit $status, expected 1: $(cat out.txt err.txt)"
grep -q "PSG.edf\|Hypnogram.edf" err.txt || fail "a full disk does not name the file: $(cat err.txt)"
! grep -q "wrote" out.txt || fail "a full disk reported success: $(cat out.txt)"
[ ! -e full ] || fail "a failed make-dataset published a directory: $(ls full)"
[ -z "$(ls -d full.tmp.* 2>/dev/null)" ] || fail "a failed make-dataset left its staging directory"

# Sleep-EDF's own layout: its names (two nights per subject), signals and
# rates, opened by `run` as it stands (its fastest signals, the three at
# 100 Hz); --channels and --sample-rate are the layout's and refused beside it.
expect_status 0 "$LOCKSTEP" make-dataset sc --layout sleep-edf --recordings 4 --minutes 4 --seed 2
grep -q "wrote 4 recordings of 4 min, in Sleep-EDF's layout" out.txt \
  || fail "the layout is not in the summary: $(cat out.txt)"
[ "$(ls sc)" = "$(printf '%s\n' SC4001E0-PSG.edf SC4001EC-Hypnogram.edf SC4002E0-PSG.edf SC4002EC-Hypnogram.edf SC4011E0-PSG.edf SC4011EC-Hypnogram.edf SC4012E0-PSG.edf SC4012EC-Hypnogram.edf)" ] \
  || fail "unexpected Sleep-EDF names: $(ls sc)"
expect_status 0 "$LOCKSTEP" make-dataset sc-again --layout sleep-edf --recordings 4 --minutes 4 \
  --seed 2
for f in sc/*; do
  cmp -s "$f" "sc-again/${f#sc/}" || fail "$f differs between two runs with one seed"
done
expect_status 0 "$LOCKSTEP" run --source signals --dataset sc --seed 1 --batches 5 --no-progress
grep -q "3 channels x 3000 samples at 100 Hz" out.txt || fail "not read at 100 Hz: $(cat out.txt)"
for opt in "--channels 3" "--sample-rate 100"; do
  # shellcheck disable=SC2086
  expect_status 2 "$LOCKSTEP" make-dataset sc2 --layout sleep-edf $opt
  grep -q -e "${opt%% *} does not apply to --layout sleep-edf" err.txt || fail "$opt: $(cat err.txt)"
  [ ! -e sc2 ] || fail "a refused layout wrote sc2"
done
expect_status 2 "$LOCKSTEP" make-dataset sc3 --layout edf
grep -q "plain" err.txt && grep -q "sleep-edf" err.txt || fail "the layouts are not named: $(cat err.txt)"
[ ! -e sc3 ] || fail "an unknown layout wrote sc3"
