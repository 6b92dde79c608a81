#!/usr/bin/env bash
# Generates data, runs mece-segment with seed004 and holds it to pandas/numpy, first the
# raw rules, then with the size constraints (dissolves and splits); then the same on a
# CSV that pandas itself wrote (columns reordered, an extra column, quoting), with bounds
# tight enough to force splits.
# usage: run_pandas_check.sh PYTHON MECE_SEGMENT MECE_GENERATE WORK_DIR
set -eu
python=$1 segment=$2 generate=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
"$generate" --rows 300000 --seed 17 --out "$work/generated.csv"
"$segment" --input "$work/generated.csv" --preset seed004 --as-of 2026-11-13 --no-constraints --out "$work/out1" >/dev/null
"$python" "$here/pandas_check.py" "$work/generated.csv" "$work/out1" --seed004
"$segment" --input "$work/generated.csv" --preset seed004 --as-of 2026-11-13 --out "$work/out1c" >/dev/null
"$python" "$here/pandas_check.py" "$work/generated.csv" "$work/out1c" --constraints --overlap004

"$python" "$here/pandas_check.py" --write "$work/pandas.csv" 200000 5
"$segment" --input "$work/pandas.csv" --preset seed004 --no-constraints --out "$work/out2" >/dev/null
"$python" "$here/pandas_check.py" "$work/pandas.csv" "$work/out2" --seed004
"$segment" --input "$work/pandas.csv" --preset seed004 --min-size 1500 --max-size 4000 --out "$work/out2c" >/dev/null
"$python" "$here/pandas_check.py" "$work/pandas.csv" "$work/out2c" --constraints --overlap004

# Ties on the only split feature: the large segments are split by the hash of user_id,
# which the check recomputes with numpy.
cat > "$work/ties.json" <<'JSON'
{"segments": [{"name": "High AOV", "conditions": [{"feature": "avg_order_value", "op": ">=", "value": {"quantile": 0.5}}]}],
 "constraints": {"min_size": 1000, "max_size": 6000, "split_features": ["num_cart_items"]}}
JSON
"$segment" --input "$work/pandas.csv" --config "$work/ties.json" --out "$work/out3" >/dev/null
grep -q '"feature": "user_id_hash"' "$work/out3/strategy.json"
"$python" "$here/pandas_check.py" "$work/pandas.csv" "$work/out3" --constraints

# Seed 003's own data and 12-leaf code tree with the default bounds: merges, a collapse
# up two levels and dropped empty catch-alls; every segment valid, every rule text and
# JSON rule reproduces its users.
seeds="$here/../seed-data"
"$segment" --input "$seeds/seed003/users.csv" --config "$seeds/seed003/rules.json" --out "$work/seed003" >/dev/null
"$python" "$here/pandas_check.py" "$seeds/seed003/users.csv" "$work/seed003" --constraints
"$python" - "$work/seed003/strategy.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert all(seg["valid"] for seg in s["segments"]), "an invalid segment on seed 003"
assert any(e["action"] == "drop" for e in s["log"]), "no catch-all dropped on seed 003"
PY
# Each preset on the generated data, with the default bounds and with tight ones.
for preset in seed000 seed002 seed003 seed004; do
  "$segment" --input "$work/generated.csv" --preset "$preset" --as-of 2026-11-13 --out "$work/$preset" >/dev/null
  "$python" "$here/pandas_check.py" "$work/generated.csv" "$work/$preset" --constraints
  "$segment" --input "$work/generated.csv" --preset "$preset" --as-of 2026-11-13 --min-size 3000 --max-size 9000 \
    --out "$work/$preset-tight" >/dev/null
  "$python" "$here/pandas_check.py" "$work/generated.csv" "$work/$preset-tight" --constraints
done
