#!/usr/bin/env bash
# mece-segment-mpi under mpirun on 1, 2 and 4 ranks writes every output file mece-segment
# writes, byte for byte, and prints the same strategy: on generated users with the
# default bounds (splits and dissolves happen), without bounds, with a holdout and tight
# bounds, and on a CSV with quoted fields and a ragged extra column. A bad row makes every
# rank stop with mece-segment's message (its line in the file), printed once, and the
# previous outputs stay.
# Usage: mpi_test.sh MECE_SEGMENT MECE_SEGMENT_MPI MECE_GENERATE MPIEXEC WORKDIR
set -euo pipefail
segment=$1 segment_mpi=$2 generate=$3 mpiexec=$4 work=$5
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
rm -rf "$work" && mkdir -p "$work" && cd "$work"

same_outputs() {  # NAME ARGS...: mece-segment once, mece-segment-mpi on 1, 2 and 4 ranks
  local name=$1; shift
  "$segment" "$@" --out "$name.one" > "$name.one.txt"
  for ranks in 1 2 4; do
    "$mpiexec" -np "$ranks" "$segment_mpi" "$@" --out "$name.np$ranks" > "$name.np$ranks.txt"
    diff -r "$name.one" "$name.np$ranks" || { echo "FAIL: $name on $ranks ranks: the files differ"; exit 1; }
    diff "$name.one.txt" <(sed "s|$name.np$ranks/|$name.one/|" "$name.np$ranks.txt") ||
      { echo "FAIL: $name on $ranks ranks: the printed strategy differs"; exit 1; }
  done
  echo "ok: $name ($(ls "$name.one" | wc -l) files, equal on 1, 2 and 4 ranks)"
}

same_outputs default-bounds --synthetic 400000 --seed 3
grep -q '"action": "split"' default-bounds.one/strategy.json || { echo "FAIL: the default bounds split nothing"; exit 1; }
same_outputs no-bounds --synthetic 400000 --seed 3 --no-constraints --threads 2
same_outputs holdout --synthetic 300000 --seed 4 --holdout 0.1 --min-size 6000 --max-size 25000 --preset seed002 --no-report

"$generate" --rows 200000 --seed 5 --out users.csv > /dev/null
# Quoted fields (a newline inside one) and an extra column with a gap and a text value.
python3 - <<'PY'
import csv
rows = list(csv.reader(open("users.csv", newline="")))
rows[0].append("note")
for i, row in enumerate(rows[1:], 1):
    row.append("" if i % 7 == 0 else "a\nb" if i % 1000 == 0 else str(i % 13))
with open("quoted.csv", "w", newline="") as f:
    csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n").writerows(rows)
PY
same_outputs csv --input quoted.csv --min-size 2000 --max-size 9000

# A bad row near the end: the same message as mece-segment, once, and the outputs kept.
python3 - <<'PY'
lines = open("users.csv").read().split("\n")
fields = lines[-3].split(",")
fields[3] = "lots"
lines[-3] = ",".join(fields)
open("bad.csv", "w").write("\n".join(lines))
PY
cp -r csv.np4 kept
expected=$("$segment" --input bad.csv --out unused 2>&1 >/dev/null || true)
for ranks in 1 4; do
  status=0
  got=$("$mpiexec" -np "$ranks" "$segment_mpi" --input bad.csv --out kept 2>&1 >/dev/null) || status=$?
  [[ $status -eq 1 ]] || { echo "FAIL: a bad row: exit status $status on $ranks ranks"; exit 1; }
  got=$(grep '^mece-segment' <<< "$got" || true)  # mpirun adds its own note of the exit status
  [[ "$got" == "${expected/mece-segment:/mece-segment-mpi:}" ]] || { echo "FAIL: on $ranks ranks the message is '$got', not '$expected'"; exit 1; }
  diff -r csv.np4 kept || { echo "FAIL: a failed run replaced outputs"; exit 1; }
done
echo "ok: a bad row stops every rank with one message ($expected), outputs kept"
