#!/usr/bin/env bash
# The side-by-side comparison, one command from a fresh clone:
#   bench/peers/run.sh [ROWS] [--full-precision]      (default 10,000,000 users)
# Generates the users as CSV with mece-generate (with --full-precision, rewritten with its
# measures at 17 significant digits, as other tools write doubles), then on that same file runs pandas/numpy
# in the seeds' style, DuckDB (SQL, quantile_cont, CASE WHEN) and mece-segment, all with
# the seed004 rules and no size bounds; checks the three give identical segment sizes and
# prints one table: load time, segmentation time, peak memory, and mece's ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-10000000}
precision=${2:-}
[[ -z $precision || $precision == --full-precision ]] || { echo "usage: $0 [ROWS] [--full-precision]" >&2; exit 2; }
work=${MECE_PEERS_WORK:-$root/build/peers}
cd "$root"
.ci/install-deps peers
cmake --preset default >/dev/null
cmake --build --preset default -j 2 --target mece-segment mece-generate >/dev/null
mkdir -p "$work"
cp bench/peers/package.json "$work/"
[[ -d $work/node_modules/@duckdb/node-api ]] || (cd "$work" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
cp bench/peers/duckdb_seed004.mjs "$work/"

csv=$work/carts-$rows.csv
[[ -s $csv ]] || ./build/examples/mece-generate --rows "$rows" --seed 1 --out "$csv" >/dev/null
if [[ -n $precision ]]; then
  full=$work/carts-$rows-full.csv
  [[ -s $full ]] || /usr/bin/python3 bench/peers/full_precision.py "$csv" "$full"
  csv=$full
fi

echo "running the peers on $csv ($(du -mL "$csv" | cut -f1) MB, $rows users)" >&2
/usr/bin/time -f '%M' -o "$work/pandas.kb" /usr/bin/python3 bench/peers/pandas_seed004.py "$csv" > "$work/pandas.json"
/usr/bin/time -f '%M' -o "$work/duckdb.kb" node "$work/duckdb_seed004.mjs" "$csv" 2 > "$work/duckdb.json"
# Load and segmentation on both cores.
/usr/bin/time -f '%M' -o "$work/mece.kb" ./build/examples/mece-segment --input "$csv" --no-constraints --timings \
  --threads 2 --out "$work/mece-out" > "$work/mece.txt" 2> "$work/mece.err"
tail -n 1 "$work/mece.err" > "$work/mece.json"
/usr/bin/python3 bench/peers/report.py "$work" "$rows"
