#!/usr/bin/env bash
# A run killed (SIGKILL) while it writes its files leaves the previous run's outputs
# exactly as they were; the next run finishes cleanly over the leftovers.
# usage: killed_run_test.sh MECE_SEGMENT WORK_DIR
set -euo pipefail
segment=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
out=$work/out
"$segment" --synthetic 100000 --seed 1 --out "$out" > /dev/null
(cd "$out" && sha256sum ./*) > "$work/before.sha256"

# A larger run into the same directory, killed once it is writing assignments.csv.
"$segment" --synthetic 6000000 --seed 2 --out "$out" > /dev/null &
pid=$!
until compgen -G "$out/assignments.csv.*.partial" > /dev/null; do
  if ! kill -0 "$pid" 2> /dev/null; then echo "FAIL: the run ended before it could be killed"; exit 1; fi
  sleep 0.001
done
kill -9 "$pid"
wait "$pid" && { echo "FAIL: the run was not killed"; exit 1; }
ls "$out"/*.partial > /dev/null  # the killed run was caught writing
(cd "$out" && sha256sum --quiet -c "$work/before.sha256") || { echo "FAIL: the previous outputs changed"; exit 1; }
echo "killed while writing: the previous outputs are intact"

"$segment" --synthetic 100000 --seed 3 --out "$out" > /dev/null
if compgen -G "$out/*.partial" > /dev/null; then echo "FAIL: temporary files left after a finished run"; exit 1; fi
(cd "$out" && sha256sum --quiet -c "$work/before.sha256" 2> /dev/null) && { echo "FAIL: the next run wrote nothing new"; exit 1; }
echo "the next run replaced them cleanly"
