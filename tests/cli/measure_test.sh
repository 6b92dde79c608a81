#!/usr/bin/env bash
# The campaign loop through the tools: mece-segment with a holdout, mece-simulate,
# mece-measure; every figure of lift.json recomputed by tests/lift_check.py (standard
# library only, no mece code); and the errors of bad or mismatched inputs.
# usage: measure_test.sh BIN_DIR PYTHON3 REPO_ROOT WORK_DIR
set -u
bin=$1 python=$2 root=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
loop() {  # loop NAME SIMULATE-ARGS -- SEGMENT-ARGS...
  local name=$1 simulate=$2; shift 3
  "$bin/mece-segment" "$@" --no-report --out "$name" >/dev/null 2>"$name.err" || { fail "$name: mece-segment"; cat "$name.err"; return; }
  "$bin/mece-simulate" --run "$name" --out "$name-outcomes.csv" $simulate >/dev/null || { fail "$name: mece-simulate"; return; }
  "$bin/mece-measure" --assignments "$name/assignments.csv" --outcomes "$name-outcomes.csv" --out "$name-lift" >"$name.out" 2>&1 ||
    { fail "$name: mece-measure"; cat "$name.out"; return; }
  "$python" "$root/tests/lift_check.py" "$root" "$name" "$name-outcomes.csv" "$name-lift" || fail "$name: lift_check"
  for f in lift.json lift.csv lift.svg; do [[ -s $name-lift/$f ]] || fail "$name: no $f"; done
}
loop plain "" -- --holdout 0.2
loop seeded "--seed 9" -- --holdout 0.1 --synthetic 400000 --seed 3 --preset seed003 --min-size 300 --max-size 8000
"$python" -c "
import json; c = json.load(open('$root/examples/configs/seed004.json'))
c['holdout'] = {'share': 0.25, 'global_share': 0.1}; json.dump(c, open('global.json', 'w'))"
loop global "--no-lift" -- --config global.json
grep -q '"global": {' global-lift/lift.json || fail "global: no global comparison"

# With revenue the figures include Welch's interval; an outcomes file without revenue has none.
"$python" -c "
import csv; rows = list(csv.DictReader(open('plain-outcomes.csv')))
with open('plain-norevenue.csv', 'w') as f:
    f.write('converted,user_id,note\n')
    for r in rows: f.write(f\"{r['converted']},{r['user_id']},x\n\")
    f.write('0,424242,not in the run\n')"
"$bin/mece-measure" --assignments plain/assignments.csv --outcomes plain-norevenue.csv --out plain-lift2 >/dev/null || fail "no revenue"
"$python" "$root/tests/lift_check.py" "$root" plain plain-norevenue.csv plain-lift2 || fail "no revenue: lift_check"
grep -q '"unmatched_outcomes": 1' plain-lift2/lift.json || fail "no revenue: unmatched outcome not counted"
grep -q 'revenue_diff' plain-lift2/lift.json && fail "no revenue: revenue figures without revenue"

# expect CODE TEXT -- TOOL ARGS...
expect() {
  local code=$1 text=$2; shift 3
  "$@" >bad.out 2>bad.err
  local got=$?
  if [[ $got -ne $code ]] || ! grep -qF -- "$text" bad.err; then
    fail "$* -> exit $got (want $code)"; sed 's/^/    /' bad.err; echo "    wanted: $text"
  fi
}
"$bin/mece-segment" --no-report --out nohold >/dev/null 2>&1
expect 1 "nohold/strategy.json: holdout: the run had no holdout" -- "$bin/mece-measure" --assignments nohold/assignments.csv --outcomes plain-outcomes.csv --out x
printf 'user_id,converted\n10000012,1\n10000018,yes\n' > bad-outcomes.csv
expect 1 "bad-outcomes.csv:3: column 'converted': expected 0 or 1, got \"yes\"" -- "$bin/mece-measure" --assignments plain/assignments.csv --outcomes bad-outcomes.csv --out x
printf 'user_id,converted\n10000012,1\n10000012,0\n' > dup-outcomes.csv
expect 1 "dup-outcomes.csv:3: column 'user_id': duplicate user id 10000012 (first on line 2)" -- "$bin/mece-measure" --assignments plain/assignments.csv --outcomes dup-outcomes.csv --out x
expect 1 "plain/assignments.csv: assignments: user" -- "$bin/mece-measure" --assignments plain/assignments.csv --outcomes plain-outcomes.csv --strategy global/strategy.json --out x
expect 2 "--outcomes" -- "$bin/mece-measure" --assignments plain/assignments.csv --out x
expect 1 "is not the synthetic dataset" -- bash -c "$bin/mece-generate --rows 1000 --out small.csv >/dev/null && $bin/mece-segment --input small.csv --holdout 0.1 --min-size 1 --no-report --out csvrun >/dev/null && $bin/mece-simulate --run csvrun"
[[ -e x ]] && [[ -n $(ls x 2>/dev/null | grep lift) ]] && fail "a failed mece-measure left outputs"
echo "measure: $failures failed"
exit $((failures > 0))
