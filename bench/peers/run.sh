#!/usr/bin/env bash
# The side-by-side comparison, one command from a fresh clone:
#   bench/peers/run.sh [ROWS]      (default 10,000,000 users)
# Generates the users as CSV with mece-generate, then on that same file runs pandas/numpy
# in the seeds' style, DuckDB (SQL, quantile_cont, CASE WHEN) and mece-segment, all with
# the seed004 rules and no size bounds; checks the three give identical segment sizes and
# prints one table: load time, segmentation time, peak memory, and mece's ratios.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-10000000}
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

echo "running the peers on $csv ($(du -mL "$csv" | cut -f1) MB, $rows users)" >&2
/usr/bin/time -f '%M' -o "$work/pandas.kb" /usr/bin/python3 bench/peers/pandas_seed004.py "$csv" > "$work/pandas.json"
/usr/bin/time -f '%M' -o "$work/duckdb.kb" node "$work/duckdb_seed004.mjs" "$csv" 2 > "$work/duckdb.json"
# Segmentation is single-threaded; --threads 2 lets the load use both cores.
/usr/bin/time -f '%M' -o "$work/mece.kb" ./build/examples/mece-segment --input "$csv" --no-constraints --timings \
  --threads 2 --out "$work/mece-out" > "$work/mece.txt" 2> "$work/mece.err"
tail -n 1 "$work/mece.err" > "$work/mece.json"
/usr/bin/python3 bench/peers/report.py "$work" "$rows"
