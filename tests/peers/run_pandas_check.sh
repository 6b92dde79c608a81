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
"$python" "$here/pandas_check.py" "$work/generated.csv" "$work/out1c" --constraints

"$python" "$here/pandas_check.py" --write "$work/pandas.csv" 200000 5
"$segment" --input "$work/pandas.csv" --preset seed004 --no-constraints --out "$work/out2" >/dev/null
"$python" "$here/pandas_check.py" "$work/pandas.csv" "$work/out2" --seed004
"$segment" --input "$work/pandas.csv" --preset seed004 --min-size 1500 --max-size 4000 --out "$work/out2c" >/dev/null
"$python" "$here/pandas_check.py" "$work/pandas.csv" "$work/out2c" --constraints

# Ties on the only split feature: the large segments are split by the hash of user_id,
# which the check recomputes with numpy.
cat > "$work/ties.json" <<'JSON'
{"segments": [{"name": "High AOV", "conditions": [{"feature": "avg_order_value", "op": ">=", "value": {"quantile": 0.5}}]}],
 "constraints": {"min_size": 1000, "max_size": 6000, "split_features": ["num_cart_items"]}}
JSON
"$segment" --input "$work/pandas.csv" --config "$work/ties.json" --out "$work/out3" >/dev/null
grep -q '"feature": "user_id_hash"' "$work/out3/strategy.json"
"$python" "$here/pandas_check.py" "$work/pandas.csv" "$work/out3" --constraints
