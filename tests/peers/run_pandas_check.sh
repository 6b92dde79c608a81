#!/usr/bin/env bash
# Generates data, runs mece-segment with seed004 and holds it to pandas/numpy; then the
# same on a CSV that pandas itself wrote (columns reordered, an extra column, quoting).
# usage: run_pandas_check.sh PYTHON MECE_SEGMENT MECE_GENERATE WORK_DIR
set -eu
python=$1 segment=$2 generate=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
"$generate" --rows 300000 --seed 17 --out "$work/generated.csv"
"$segment" --input "$work/generated.csv" --preset seed004 --as-of 2026-11-13 --out "$work/out1" >/dev/null
"$python" "$here/pandas_check.py" "$work/generated.csv" "$work/out1" --seed004

"$python" "$here/pandas_check.py" --write "$work/pandas.csv" 200000 5
"$segment" --input "$work/pandas.csv" --preset seed004 --out "$work/out2" >/dev/null
"$python" "$here/pandas_check.py" "$work/pandas.csv" "$work/out2" --seed004
