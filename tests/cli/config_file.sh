# --config FILE: the library's JSON config, under the command's options; a
# bad file is named. --version says the version.
source "$(dirname "$0")/lib.sh"
cat > run.json <<'JSON'
{"workers": 3, "buffer": 4, "retry": {"max_retries": 0}}
JSON
expect_status 0 "$LOCKSTEP" run --seed 1 --batches 20 --no-progress --config run.json
grep -q "3 workers, buffer 4" out.txt || fail "the config file was not used: $(cat out.txt)"
expect_status 0 "$LOCKSTEP" run --seed 1 --batches 20 --no-progress --config run.json --workers 1
grep -q "1 workers, buffer 4" out.txt || fail "--workers did not override the file: $(cat out.txt)"
# max_retries 0 from the file: a poisoned batch fails on its first attempt.
expect_status 1 "$LOCKSTEP" run --seed 1 --batches 20 --no-progress --config run.json --poison-index 3
grep -q "failed 1 attempt" err.txt || fail "retries of the file not used: $(cat err.txt)"
echo '{"workers": 2, "bufer": 4}' > typo.json
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 3 --config typo.json
grep -q "typo.json" err.txt && grep -q '"bufer"' err.txt || fail "bad config not named: $(cat err.txt)"
expect_status 2 "$LOCKSTEP" run --seed 1 --batches 3 --config missing.json
grep -q "missing.json" err.txt || fail "missing config not named: $(cat err.txt)"
expect_status 0 "$LOCKSTEP" --version
grep -Eq '^lockstep [0-9]+\.[0-9]+\.[0-9]+$' out.txt || fail "--version printed: $(cat out.txt)"
