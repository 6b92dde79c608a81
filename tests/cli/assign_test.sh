#!/usr/bin/env bash
# mece-assign: on a run's own input it writes the run's assignments.csv byte for byte (each
# preset, with the default bounds, without constraints, with small bounds, with holdouts);
# on other data every user's segment is what the segments' JSON rules select, checked by
# tests/frozen_check.py (standard library only); and bad strategies and inputs are named.
# usage: assign_test.sh BIN_DIR PYTHON3 REPO_ROOT WORK_DIR
set -u
bin=$1 python=$2 root=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$bin/mece-generate" --rows 120000 --seed 5 --out own.csv >/dev/null || fail "mece-generate own.csv"
"$bin/mece-generate" --rows 80000 --seed 9 --as-of 2026-11-20 --out other.csv >/dev/null || fail "mece-generate other.csv"

same() {  # same NAME -- MECE-SEGMENT-ARGS...: mece-assign on the run's input reproduces its assignments.csv
  local name=$1; shift 2
  "$bin/mece-segment" "$@" --no-report --out "$name" >"$name.log" 2>&1 || { fail "mece-segment $*"; cat "$name.log"; return; }
  local input=(--input own.csv)
  [[ " $* " == *" --synthetic "* ]] && input=(--synthetic 300000 --seed 11)
  "$bin/mece-assign" --strategy "$name/strategy.json" "${input[@]}" --out "$name-assigned" >"$name-assign.log" 2>&1 ||
    { fail "mece-assign $name"; cat "$name-assign.log"; return; }
  cmp -s "$name/assignments.csv" "$name-assigned/assignments.csv" || fail "$name: mece-assign differs from the run's assignments.csv"
}
for preset in seed000 seed002 seed003 seed004; do
  same "$preset-default" -- --input own.csv --preset "$preset"
  same "$preset-none" -- --input own.csv --preset "$preset" --no-constraints --holdout 0.2
  same "$preset-small" -- --input own.csv --preset "$preset" --min-size 300 --max-size 2500 --holdout 0.1 --holdout-salt day-1
done
same synthetic -- --synthetic 300000 --seed 11 --min-size 200 --max-size 1500 --as-of 2026-11-12

# Another dataset: the window re-anchored with --as-of, then the run's own window.
check_other() {  # check_other NAME STRATEGY [AS_OF]
  local name=$1 strategy=$2 as_of=${3:-}
  local args=(--strategy "$strategy" --input other.csv --out "$name")
  [[ -n $as_of ]] && args+=(--as-of "$as_of")
  "$bin/mece-assign" "${args[@]}" >"$name.log" 2>&1 || { fail "mece-assign $name"; cat "$name.log"; return; }
  "$python" "$root/tests/frozen_check.py" "$root" "$strategy" other.csv "$name/assignments.csv" $as_of || fail "frozen_check $name"
}
check_other other-004 seed004-small/strategy.json 2026-11-20
check_other other-003 seed003-none/strategy.json 2026-11-19
check_other other-002 seed002-default/strategy.json
check_other other-000 seed000-small/strategy.json 2026-11-20

"$bin/mece-assign" --strategy seed004-small/strategy.json --input other.csv --as-of 2026-11-20 --threads 1 --out one >/dev/null 2>&1
cmp -s one/assignments.csv other-004/assignments.csv || fail "--threads 1 and the default differ"
grep -q "carts are dated after 2026-11-15, outside the window (pass --as-of to assign them)" other-002.log ||
  fail "no warning for carts after the run's as_of"

# expect CODE TEXT -- MECE-ASSIGN-ARGS...
expect() {
  local code=$1 text=$2; shift 3
  "$bin/mece-assign" "$@" --out bad >bad.stdout 2>bad.stderr
  local got=$?
  if [[ $got -ne $code ]] || ! grep -qF -- "$text" bad.stderr; then
    fail "mece-assign $* -> exit $got (want $code), stderr:"; sed 's/^/    /' bad.stderr; echo "    wanted: $text"
  fi
}
"$python" - seed004-small/strategy.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
newer = dict(s, schema_version=6)
json.dump(newer, open("newer.json", "w"))
edited = json.loads(json.dumps(s))
edited["segments"][2]["rule"] = {"feature": "avg_order_value", "op": ">=", "value": 0}
json.dump(edited, open("edited.json", "w"))
broken = json.loads(json.dumps(s))
broken["tree"][1]["when"] = [{"feature": "avg_order_value", "op": "=>", "value": 3}]
json.dump(broken, open("broken.json", "w"))
PY
expect 1 "newer.json: schema_version: 6 is newer than this mece reads (5)" -- --strategy newer.json --input own.csv
expect 1 "edited.json: segments[2].rule: not the definition the tree gives segment" -- --strategy edited.json --input own.csv
expect 1 "broken.json: tree[1].when[0].op: expected one of <, <=, >, >=, ==" -- --strategy broken.json --input own.csv
expect 1 "own.csv: not a strategy.json (not a JSON object)" -- --strategy own.csv --input own.csv
printf 'user_id,cart_abandoned_date,last_order_date,avg_order_value,sessions_last_30d,num_cart_items,engagement_score,profitability_score\n1,2026-11-15,,10,1,1,0.5,0.5\n2,2026-11-15,,10,1,1,1.7,0.5\n' >bad.csv
expect 1 "bad.csv:3: column 'engagement_score': expected a number in [0,1], got \"1.7\"" -- --strategy seed004-small/strategy.json --input bad.csv
"$bin/mece-assign" --strategy seed004-small/strategy.json --input bad.csv --lenient --out lenient >lenient.log 2>&1 ||
  fail "--lenient with a bad row"
[[ $(wc -l <lenient/assignments.csv) -eq 2 ]] || fail "--lenient: expected one user assigned"
expect 2 "--input or --synthetic is required" -- --strategy seed004-small/strategy.json
expect 2 "expected a valid date YYYY-MM-DD" -- --strategy seed004-small/strategy.json --input own.csv --as-of 2026-02-30

if [[ $failures -gt 0 ]]; then echo "$failures failures"; exit 1; fi
echo "assign_test: all checks passed"
