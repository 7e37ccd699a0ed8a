# make-dataset writes Sleep-EDF-style pairs, the same bytes for the same seed.
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
