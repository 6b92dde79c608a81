#!/usr/bin/env bash
# mece-segment's exit codes and messages: 0 on success, 1 on bad input or config with
# the place named on stderr, 2 on a usage error; valid CSV variants load.
# usage: cli_test.sh MECE_SEGMENT MECE_GENERATE WORK_DIR
set -u
segment=$1 generate=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0 passed=0
header='user_id,cart_abandoned_date,last_order_date,avg_order_value,sessions_last_30d,num_cart_items,engagement_score,profitability_score'

# expect CODE TEXT -- ARGS...: runs mece-segment, checks the exit code and that stderr holds TEXT.
expect() {
  local code=$1 text=$2; shift 3
  "$segment" "$@" --out "$work/out" >"$work/stdout" 2>"$work/stderr"
  local got=$?
  if [[ $got -ne $code ]] || { [[ -n $text ]] && ! grep -qF -- "$text" "$work/stderr"; }; then
    echo "FAIL: mece-segment $* -> exit $got (want $code), stderr:"; sed 's/^/    /' "$work/stderr"
    echo "    wanted: $text"
    failures=$((failures + 1))
  else
    passed=$((passed + 1))
  fi
}

bad() {  # bad NAME ROW EXPECTED-MESSAGE
  printf '%s\n%s\n' "$header" "$2" > "$1.csv"
  expect 1 "$3" -- --input "$1.csv"
}

printf '' > empty.csv;                 expect 1 "empty.csv: empty file, expected a header line" -- --input empty.csv
printf '%s\n' "$header" > header.csv;  expect 1 "header.csv: no data rows after the header" -- --input header.csv
printf 'user_id,cart_abandoned_date\n1,2026-11-15\n' > missing.csv
expect 1 "missing.csv:1: missing required column 'last_order_date'" -- --input missing.csv
bad range    '1,2026-11-15,,120,3,2,1.7,0.5' "range.csv:2: column 'engagement_score': expected a number in [0,1], got \"1.7\""
bad nan      '1,2026-11-15,,nan,3,2,0.5,0.5' "nan.csv:2: column 'avg_order_value': expected a number >= 0, got \"nan\""
bad inf      '1,2026-11-15,,5,3,2,inf,0.5'   "inf.csv:2: column 'engagement_score': expected a number in [0,1], got \"inf\""
bad negative '1,2026-11-15,,-3,3,2,0.5,0.5'  "negative.csv:2: column 'avg_order_value': expected a number >= 0, got \"-3\""
bad date     '1,2026-02-30,,3,3,2,0.5,0.5'   "date.csv:2: column 'cart_abandoned_date': expected a valid date YYYY-MM-DD, got \"2026-02-30\""
bad quote    '1,2026-11-15,,"3,3,2,0.5,0.5'  "quote.csv:2: column 'avg_order_value': quoted field never closes"
printf '%s\n1,2026-11-15,,1,1,1,0.5,0.5\n2,2026-11-15,,1,1,1,0.5,0.5\n1,2026-11-15,,1,1,1,0.5,0.5\n' "$header" > duplicate.csv
expect 1 "duplicate.csv:4: column 'user_id': duplicate user id 1, first seen on line 2" -- --input duplicate.csv
printf '%s\n1,2026-11-15,,1,1,1,0.5,0.5\n2,2026-11-15,,1' "$header" > truncated.csv
expect 1 "truncated.csv:3: expected 8 fields, got 4 (the last line is truncated)" -- --input truncated.csv

# Limits.
{ printf '%s' "$header"; for i in $(seq 1 9993); do printf ',c%d' "$i"; done; printf '\n1,2026-11-15,,1,1,1,0.5,0.5\n'; } > wide.csv
expect 1 "wide.csv:1: the header has 10001 columns, more than the 10000 allowed (CsvOptions::max_columns)" -- --input wide.csv
printf '{"segments": [{"name": 4E444444}]}' > overflow.json
expect 1 "overflow.json: invalid JSON: number overflow parsing '4E444444'" -- --config overflow.json
printf '{"segments": [{"name": "%s"}]}' "$(printf 'n%.0s' $(seq 1 201))" > long-name.json
expect 1 "long-name.json: segments[0].name: a name of 201 bytes, longer than the 200 allowed" -- --config long-name.json
{ printf '{"segments": ['; for i in $(seq 1 1200); do printf '%s{"name": "r%d"}' "$([[ $i -gt 1 ]] && echo ,)" "$i"; done; printf ']}'; } > many-rules.json
expect 1 "many-rules.json: segments[999]: more than the 1000 rules a tree may hold (sub-rules and catch-alls included)" -- --config many-rules.json
printf '{"segments": [' > invalid.json
expect 1 "invalid.json: invalid JSON: parse error at line 1, column 15" -- --config invalid.json

# Lenient mode: the bad rows are set aside and counted in strategy.json.
printf '%s\n1,2026-11-15,,1,1,1,0.5,0.5\n2,2026-11-15,,1,1,1,9,0.5\n3,2026-11-14,,1,1,1,0.5,0.5\n' "$header" > lenient.csv
expect 0 "rejected: lenient.csv:3: column 'engagement_score'" -- --input lenient.csv --lenient
if ! grep -q '"rejected_rows": 1' out/strategy.json; then echo "FAIL: rejected_rows not in strategy.json"; failures=$((failures + 1)); fi

# Valid variants: BOM, CRLF, quoted fields, reordered and extra columns.
printf '\xEF\xBB\xBFnote,profitability_score,engagement_score,num_cart_items,sessions_last_30d,avg_order_value,last_order_date,cart_abandoned_date,user_id,visits\r\n"a, ""b""",0.7,0.5,2,3,120.5,,2026-11-15,7,4\r\nx,0.2,0.9,1,1,10,2026-11-01,2026-11-14,8,5\r\n' > variants.csv
expect 0 "" -- --input variants.csv
if [[ $(wc -l < out/assignments.csv) -ne 3 ]]; then echo "FAIL: variants.csv should assign 2 users"; failures=$((failures + 1)); fi

# Config errors name the file and the key.
printf '{"segments": [{"name": "A", "conditions": [{"feature": "aov", "op": ">", "value": 1}]}]}' > unknown-feature.json
"$generate" --rows 2000 --out small.csv >/dev/null || { echo "FAIL: mece-generate"; failures=$((failures + 1)); }
expect 1 "unknown-feature.json: segments[0].conditions[0].feature: unknown feature 'aov'" -- --input small.csv --config unknown-feature.json
printf '{"segments": [], "extra": 1}' > unknown-key.json
expect 1 "unknown-key.json: extra: unknown key 'extra'" -- --input small.csv --config unknown-key.json

# Usage errors exit 2.
expect 2 "" -- --no-such-option
expect 2 "" -- --preset seed999
expect 2 "" -- --as-of 2026-02-30
expect 2 "" -- --input small.csv --synthetic 10
expect 2 "" -- --input does-not-exist.csv

# Success: every universe user in assignments.csv exactly once.
expect 0 "" -- --synthetic 5000 --seed 3
users=$(tail -n +2 out/assignments.csv | cut -d, -f1 | sort | uniq | wc -l)
universe=$(grep -m1 -o '"universe_size": [0-9]*' out/strategy.json | grep -o '[0-9]*$')
rows=$(($(wc -l < out/assignments.csv) - 1))
if [[ $users -ne $universe || $rows -ne $universe ]]; then
  echo "FAIL: assignments.csv has $rows rows, $users users, universe $universe"; failures=$((failures + 1))
fi

# stdout holds TEXT (for the printed strategy).
says() {
  if ! grep -qF -- "$1" "$work/stdout"; then echo "FAIL: stdout lacks: $1"; sed 's/^/    /' "$work/stdout"; failures=$((failures + 1)); fi
}

# Constraints: live by default, bounds from the command line, off with --no-constraints.
expect 0 "" -- --synthetic 100000
says "dissolve Low AOV + High Engagement (450 users): below min_size (450 < 500)"
says "Tier 2 Priority"
says "rank  segment"
for f in strategy.csv strategy.json strategy.md assignments.csv; do
  [[ -s out/$f ]] || { echo "FAIL: out/$f missing"; failures=$((failures + 1)); }
done
expect 0 "" -- --synthetic 100000 --no-constraints
says "not applied (validity is still reported)"
says "NO: below min_size (450 < 500)"
expect 0 "" -- --synthetic 100000 --max-size 3000
says "split    Other Bucket"
grep -q '"max_size": 3000' out/strategy.json || { echo "FAIL: max_size not in strategy.json"; failures=$((failures + 1)); }
expect 2 "" -- --synthetic 1000 --max-size 0

# --threads changes nothing but the time; --timings ends stderr with one JSON object.
expect 0 "" -- --synthetic 50000 --threads 1 && cp -r out out-1
expect 0 '"segment_s": ' -- --synthetic 50000 --threads 2 --timings
for f in strategy.csv strategy.json assignments.csv; do
  cmp -s out/$f out-1/$f || { echo "FAIL: $f differs between --threads 1 and 2"; failures=$((failures + 1)); }
done
tail -n 1 "$work/stderr" | grep -q '^{"load_s": [0-9.]*, "segment_s": [0-9.]*, "write_s": [0-9.]*, "total_s": ' ||
  { echo "FAIL: the last stderr line is not the timings object"; failures=$((failures + 1)); }

# Options say what they expect; a slip is a usage error (2) before anything is read.
expect 2 '--window: expected a whole number from 1 to 100000, got "1e3"' -- --synthetic 1000 --window 1e3
expect 2 '--seed: expected a whole number from 0 to 9223372036854775807, got "-1"' -- --synthetic 1000 --seed -1
expect 2 '--min-size: 600 is above --max-size 500' -- --synthetic 1000 --min-size 600 --max-size 500
expect 1 "--min-size/--max-size: constraints: min_size 30000 is above max_size 20000" -- --synthetic 1000 --min-size 30000
expect 1 "synthetic: 1099511627776 users need 49152 GiB of memory for their columns, more than this machine's" -- --synthetic 1099511627776
expect 2 '--as-of: expected a valid date YYYY-MM-DD, got "0000-01-03"' -- --synthetic 1000 --as-of 0000-01-03
"$generate" --rows -1 --out never.csv 2> generate.err && { echo "FAIL: --rows -1 accepted"; failures=$((failures + 1)); }
grep -qF -- '--rows: expected a whole number from 0 to 1099511627776, got "-1"' generate.err ||
  { echo "FAIL: --rows -1:"; cat generate.err; failures=$((failures + 1)); }
"$segment" --synthetic 100 --out '' > /dev/null 2> empty-out.err && { echo "FAIL: --out '' accepted"; failures=$((failures + 1)); }
grep -qF "mece-segment: error: the output directory name is empty" empty-out.err || { echo "FAIL: --out '':"; cat empty-out.err; failures=$((failures + 1)); }
# An input whose name is not UTF-8 still gets its strategy.json.
cp small.csv $'name-\xff.csv'
expect 0 "" -- --input $'name-\xff.csv'
grep -qF $'"input": "name-\xef\xbf\xbd.csv"' out/strategy.json || { echo "FAIL: the input's name in strategy.json"; failures=$((failures + 1)); }
# Threads are capped by the cores this process may use.
expect 0 '"threads": '"$(nproc)"'}' -- --synthetic 2000 --threads 1024 --timings

# Warnings: one cart dated 2099 moves the default as-of; last orders after as-of.
{ echo "$header"; for i in $(seq 1 1500); do echo "$i,2026-11-15,2026-10-01,5,1,1,0.5,0.5"; done
  echo "9999,2099-01-01,2099-01-01,5,1,1,0.5,0.5"; } > future.csv
expect 0 "mece-segment: warning: as_of is the latest abandonment date, 2099-01-01, and its window holds 1 user of 1501 (under 0.1%)" -- --input future.csv
grep -qF '"the universe holds 1 user, fewer than min_size 500: no segment can be valid"' out/strategy.json ||
  { echo "FAIL: the warnings are not in strategy.json"; failures=$((failures + 1)); }
expect 0 "mece-segment: warning: 1 cart is dated after as_of 2026-11-15, outside the window" -- --input future.csv --as-of 2026-11-15
grep -qF '"warnings": []' out/strategy.json && { echo "FAIL: warnings empty with a cart after as-of"; failures=$((failures + 1)); }
expect 0 "" -- --synthetic 20000
grep -qF '"warnings": []' out/strategy.json || { echo "FAIL: a normal run has warnings"; failures=$((failures + 1)); }

echo "cli: $passed passed, $failures failed"
[[ $failures -eq 0 ]]
