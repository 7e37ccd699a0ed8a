# lockstep split writes manifests whose subjects are disjoint and which cover
# every recording; the same seed writes the same files; bad input is refused
# and nothing is overwritten.
source "$(dirname "$0")/lib.sh"
expect_status 0 "$LOCKSTEP" make-dataset data --layout sleep-edf --recordings 10 --minutes 2 \
  --seed 5
mkdir a b c
expect_status 0 "$LOCKSTEP" split data --by subject --fractions 0.6,0.4 --seed 1 --out a
grep -q "train: 3 subjects, 6 recordings" out.txt || fail "unexpected train part: $(cat out.txt)"
grep -q "val: 2 subjects, 4 recordings" out.txt || fail "unexpected val part: $(cat out.txt)"
expect_status 0 "$LOCKSTEP" split data --by subject --fractions 0.6,0.4 --seed 1 --out b
cmp -s a/train.json b/train.json && cmp -s a/val.json b/val.json || fail "one seed, two splits"
python3 - a/train.json a/val.json <<'PY' || fail "the manifests overlap or miss recordings"
import json, os, sys
parts = [[r["psg"] for r in json.load(open(f))["recordings"]] for f in sys.argv[1:]]
subjects = [{os.path.basename(p)[2:5] for p in part} for part in parts]
assert not (subjects[0] & subjects[1]), subjects
every = sorted(p for part in parts for p in part)
assert every == sorted(f"../data/{f}" for f in os.listdir("data") if f.endswith("-PSG.edf")), every
PY
# A manifest opens, and its relative paths work from anywhere.
expect_status 0 "$LOCKSTEP" run --source signals --dataset a/train.json --seed 1 --batches 2 \
  --no-progress --validation a/val.json
grep -q "dataset a/train.json: 6 recordings" out.txt || fail "train.json: $(cat out.txt)"
mkdir elsewhere
(cd elsewhere && expect_status 0 "$LOCKSTEP" run --source signals --dataset ../a/val.json \
   --seed 1 --batches 2 --no-progress) || fail "val.json does not open from elsewhere"
# Another seed, on five subjects, gives another split.
seeds_differ=0
for s in 2 3 4 5; do
  expect_status 0 "$LOCKSTEP" split data --by subject --fractions 0.6,0.4 --seed "$s" --out c
  cmp -s a/train.json c/train.json || seeds_differ=1
  rm c/*.json
done
[ "$seeds_differ" -eq 1 ] || fail "every seed gave the same split"
# Three parts get default names.
expect_status 0 "$LOCKSTEP" split data --by subject --fractions 0.6,0.2,0.2 --seed 1 --out c
[ "$(ls c)" = "$(printf '%s\n' test.json train.json val.json)" ] || fail "parts: $(ls c)"

# Refusals: exit 2, a message, nothing written or changed.
before=$(md5sum a/*.json)
expect_status 2 "$LOCKSTEP" split data --by subject --fractions 0.6,0.4 --seed 9 --out a
grep -q "a/train.json: exists" err.txt || fail "an existing manifest is not named: $(cat err.txt)"
[ "$(md5sum a/*.json)" = "$before" ] || fail "an existing manifest was changed"
mkdir d
expect_status 2 "$LOCKSTEP" split data --by night --fractions 0.5,0.5 --seed 1 --out d
grep -q -e "--by: night not in {subject}" err.txt || fail "--by night: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" split data --fractions 0.5,0.5 --seed 1 --out d
grep -q -e "--by is required" err.txt || fail "no --by: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" split data --by subject --fractions 0.7,0.2 --seed 1 --out d
grep -q "fractions: they sum to 0.9, not 1" err.txt || fail "bad fractions: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" split data --by subject --fractions 0.95,0.05 --seed 1 --out d
grep -q 'part "val" gets no subject (the dataset has 5 subjects)' err.txt || fail "an empty part: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" split data --by subject --fractions 1 --seed 1 --out d
expect_status 2 "$LOCKSTEP" split data --by subject --fractions 0.5,0.5 --seed 1 --out missing
grep -q "\-\-out missing: is not a directory" err.txt || fail "a missing --out: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" split data --by subject --fractions 0.5,0.5 --seed 1 --out d \
  --names a,a
grep -q 'names: "a" names two parts' err.txt || fail "one name twice: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" split data --by subject --fractions 0.5,0.5 --seed 1 --out d \
  --names a,b,c
grep -q -e "--names: 3 names for 2 fractions" err.txt || fail "names for fractions: $(cat err.txt)"
[ -z "$(ls d)" ] || fail "a refused split wrote $(ls d)"
# One existing manifest of the two: the other is not written either.
echo mine > d/val.json
expect_status 2 "$LOCKSTEP" split data --by subject --fractions 0.5,0.5 --seed 1 --out d
grep -q "d/val.json: exists" err.txt || fail "an existing val.json is not named: $(cat err.txt)"
[ "$(ls d)" = val.json ] && [ "$(cat d/val.json)" = mine ] || fail "a refused split wrote $(ls d)"
rm d/val.json
expect_status 0 "$LOCKSTEP" make-dataset plain --recordings 2 --minutes 2 --sample-rate 32
expect_status 2 "$LOCKSTEP" split plain --by subject --fractions 0.5,0.5 --seed 1 --out d
grep -q "its name has no Sleep-EDF subject" err.txt || fail "a name without subject: $(cat err.txt)"
# An overlapping validation set is refused by run.
expect_status 2 "$LOCKSTEP" run --source signals --dataset a/train.json --validation data --seed 1 \
  --batches 1
grep -q "the training and validation sets share 3 subjects" err.txt \
  || fail "an overlap is not refused: $(cat err.txt)"
echo ok
