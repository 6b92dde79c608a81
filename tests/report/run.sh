#!/usr/bin/env bash
# The charts and report.html as mece-segment writes them.
#   run.sh outputs PYTHON MECE_SEGMENT WORK: the default run and a run with hostile names,
#       checked by check_outputs.py; --no-report writes neither charts nor page.
#   run.sh render PYTHON MECE_SEGMENT WORK CHROMIUM CHROMEDRIVER: the default report
#       rendered in headless Chromium by render.py.
set -euo pipefail
mode=$1 python=$2 segment=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
case $mode in
outputs)
  "$segment" --out "$work/default" > "$work/default.log"
  "$python" "$here/check_outputs.py" "$work/default"
  "$segment" --config "$here/awkward.json" --min-size 3400 --out "$work/awkward" > "$work/awkward.log"
  "$python" "$here/check_outputs.py" "$work/awkward"
  "$segment" --no-report --out "$work/plain" > "$work/plain.log"
  for file in report.html scores.svg bubbles.svg tree.svg sizes.svg; do
    if [[ -e $work/plain/$file ]]; then echo "FAIL: --no-report wrote $file"; exit 1; fi
  done
  [[ -s $work/plain/strategy.json ]] || { echo "FAIL: --no-report wrote no strategy"; exit 1; }
  echo "--no-report ok"
  ;;
render)
  "$segment" --out "$work/default" > "$work/default.log"
  "$python" "$here/render.py" "$5" "$6" "$work/default/report.html" "$work/report.png"
  # The campaign loop's report: holdout columns, measured lift with its interval.
  bin=$(dirname "$segment")
  "$segment" --synthetic 300000 --holdout 0.2 --no-report --out "$work/day1" > "$work/day1.log"
  "$bin/mece-simulate" --run "$work/day1" --out "$work/outcomes.csv" > "$work/simulate.log"
  "$bin/mece-measure" --assignments "$work/day1/assignments.csv" --outcomes "$work/outcomes.csv" --out "$work/lift" > "$work/measure.log"
  "$segment" --synthetic 300000 --holdout 0.2 --lift "$work/lift/lift.json" --out "$work/day2" > "$work/day2.log"
  "$python" "$here/render.py" "$5" "$6" "$work/day2/report.html" "$work/report-lift.png" --lift
  ;;
*) echo "usage: run.sh outputs|render ..." >&2; exit 2 ;;
esac
