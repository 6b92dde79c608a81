#!/usr/bin/env bash
# mece-diff: two runs one day apart of the synthetic data (with and without size bounds),
# checked by tests/diff_check.py (a plain Python join of the two assignments.csv); and the
# errors for a directory without assignments.csv, a malformed one, and runs sharing no user.
# usage: diff_test.sh BIN_DIR PYTHON3 REPO_ROOT WORK_DIR
set -u
bin=$1 python=$2 root=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

pair() {  # pair NAME -- MECE-SEGMENT-ARGS...: day 1 and day 2, then the diff and its check
  local name=$1; shift 2
  "$bin/mece-segment" "$@" --as-of 2026-11-14 --no-report --out "$name-day1" >/dev/null 2>&1 || { fail "$name day 1"; return; }
  "$bin/mece-segment" "$@" --as-of 2026-11-15 --no-report --out "$name-day2" >/dev/null 2>&1 || { fail "$name day 2"; return; }
  "$bin/mece-diff" "$name-day1" "$name-day2" --out "$name-diff" >"$name.log" 2>&1 || { fail "mece-diff $name"; cat "$name.log"; return; }
  "$python" "$root/tests/diff_check.py" "$name-day1" "$name-day2" "$name-diff" || fail "diff_check $name"
}
pair default -- --synthetic 300000 --seed 4
pair bounded -- --synthetic 200000 --seed 8 --preset seed003 --min-size 300 --max-size 3000 --holdout 0.1
grep -q "^changes " default.log || fail "no summary of changes"

# expect CODE TEXT -- MECE-DIFF-ARGS...
expect() {
  local code=$1 text=$2; shift 3
  "$bin/mece-diff" "$@" --out bad >bad.stdout 2>bad.stderr
  local got=$?
  if [[ $got -ne $code ]] || ! grep -qF -- "$text" bad.stderr; then
    fail "mece-diff $* -> exit $got (want $code), stderr:"; sed 's/^/    /' bad.stderr; echo "    wanted: $text"
  fi
}
mkdir -p empty-run
expect 1 "empty-run: no assignments.csv in this directory (is it a run's output directory?)" -- default-day1 empty-run
expect 1 "missing-run: not a run's output directory" -- default-day1 missing-run
mkdir -p broken-run && printf 'user_id,segment_id,segment_name\n1,1,A\n2,x,B\n' >broken-run/assignments.csv
expect 1 "broken-run/assignments.csv:3: column 'segment_id': expected a segment id from 1, got \"x\"" -- default-day1 broken-run
mkdir -p twice-run && printf 'user_id,segment_id,segment_name\n7,1,A\n8,1,A\n7,1,A\n' >twice-run/assignments.csv
expect 1 "twice-run/assignments.csv:4: column 'user_id': duplicate user id 7 (first on line 2)" -- twice-run default-day1
mkdir -p other-run && printf 'user_id,segment_id,segment_name\n1,1,A\n2,1,A\n' >other-run/assignments.csv
"$bin/mece-diff" default-day1 other-run --out disjoint >/dev/null 2>disjoint.stderr || fail "runs sharing no user"
grep -qF "share no user: every user entered or left" disjoint.stderr || fail "no warning for runs sharing no user"
"$python" "$root/tests/diff_check.py" default-day1 other-run disjoint || fail "diff_check disjoint"

if [[ $failures -gt 0 ]]; then echo "$failures failures"; exit 1; fi
echo "diff_test: all checks passed"
