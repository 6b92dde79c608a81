#!/usr/bin/env bash
# Holdouts in mece-segment: the groups and counts of runs with a holdout, checked by
# tests/holdout_check.py (standard library only, no mece code), and the errors of bad
# holdout options and config keys.
# usage: holdout_test.sh MECE_SEGMENT PYTHON3 REPO_ROOT WORK_DIR
set -u
segment=$1 python=$2 root=$3 work=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0

check() {  # check NAME SHARE GLOBAL_SHARE -- MECE-SEGMENT-ARGS...
  local name=$1 share=$2 global=$3; shift 4
  if ! "$segment" "$@" --no-report --out "$name" >"$name.stdout" 2>"$name.stderr"; then
    echo "FAIL: mece-segment $* failed:"; sed 's/^/    /' "$name.stderr"; failures=$((failures + 1)); return
  fi
  "$python" "$root/tests/holdout_check.py" "$root" "$name" "$share" "$global" || { echo "FAIL: $name"; failures=$((failures + 1)); }
}

check default 0.1 0 -- --holdout 0.1
check salted 0.25 0 -- --preset seed003 --holdout 0.25 --holdout-salt "campaign-2026-12" --min-size 300 --max-size 3000
"$python" - "$root/examples/configs/seed002.json" global.json <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["holdout"] = {"share": 0.2, "salt": "spring", "global_share": 0.05, "global_salt": "all-campaigns", "baseline_rate": 0.03}
json.dump(config, open(sys.argv[2], "w"))
PY
check global 0.2 0.05 -- --config global.json --synthetic 300000 --seed 7
check overridden 0.5 0.05 -- --config global.json --holdout 0.5

# expect CODE TEXT -- ARGS...
expect() {
  local code=$1 text=$2; shift 3
  "$segment" "$@" --no-report --out bad >bad.stdout 2>bad.stderr
  local got=$?
  if [[ $got -ne $code ]] || ! grep -qF -- "$text" bad.stderr; then
    echo "FAIL: mece-segment $* -> exit $got (want $code), stderr:"; sed 's/^/    /' bad.stderr; echo "    wanted: $text"
    failures=$((failures + 1))
  fi
}
expect 2 'expected a number from 0 to 0.5, got "0.7"' -- --holdout 0.7
expect 2 'expected a number from 0 to 0.5, got "nan"' -- --holdout nan
expect 2 'expected a number from 0 to 0.5, got "-0.1"' -- --holdout -0.1
bad_config() {  # bad_config HOLDOUT-JSON MESSAGE
  "$python" -c "import json,sys; c=json.load(open('$root/examples/configs/seed004.json')); c['holdout']=json.loads(sys.argv[1]); json.dump(c, open('bad.json','w'))" "$1"
  expect 1 "$2" -- --config bad.json
}
bad_config '{"share": 0.9}' 'bad.json: holdout.share: expected a share in [0, 0.5], got 0.9'
bad_config '{"share": "10%"}' 'bad.json: holdout.share: expected a number, got string'
bad_config '{"global_share": 0.1, "share": 0.1, "salt": "x", "global_salt": "x"}' 'bad.json: holdout.global_salt: must differ from holdout.salt'
bad_config '{"baseline_rate": 0}' 'bad.json: holdout.baseline_rate: expected a rate in (0, 1), got 0'
bad_config '{"shares": 0.1}' "bad.json: holdout.shares: unknown key 'shares'"
"$python" -c "import json; c=json.load(open('$root/examples/configs/seed004.json')); c['holdout']={'global_share': 0.1, 'global_salt': 'x'}; json.dump(c, open('salt.json','w'))"
expect 1 '--holdout/--holdout-salt: holdout.global_salt: must differ from holdout.salt' -- --config salt.json --holdout 0.1 --holdout-salt x

# Without a holdout nothing changes: three columns, no group.
"$segment" --no-report --out plain >/dev/null 2>&1
[[ $(head -1 plain/assignments.csv) == "user_id,segment_id,segment_name" ]] || { echo "FAIL: assignments.csv without a holdout"; failures=$((failures + 1)); }
grep -q '"holdout": null' plain/strategy.json || { echo "FAIL: strategy.json without a holdout"; failures=$((failures + 1)); }
echo "holdout: $failures failed"
exit $((failures > 0))
