#!/usr/bin/env bash
# mece-segment-mpi under mpirun on 1, 2 and 4 ranks writes every output file mece-segment
# writes, byte for byte, and prints the same strategy: on generated users with the
# default bounds (splits and dissolves happen), without bounds, with a holdout and tight
# bounds, and on CSV files with quoted newlines where the ranks' byte ranges begin, strict
# and lenient (bad rows, duplicate ids across ranks). A bad row or a duplicate id makes
# every rank stop with mece-segment's message (its line in the file), printed once, and
# the previous outputs stay.
# Usage: mpi_test.sh MECE_SEGMENT MECE_SEGMENT_MPI MECE_GENERATE MPIEXEC WORKDIR
set -euo pipefail
segment=$1 segment_mpi=$2 generate=$3 mpiexec=$4 work=$5
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
rm -rf "$work" && mkdir -p "$work" && cd "$work"

same_outputs() {  # NAME ARGS...: mece-segment once, mece-segment-mpi on 1, 2 and 4 ranks
  local name=$1; shift
  "$segment" "$@" --out "$name.one" > "$name.one.txt" 2> "$name.one.err"
  for ranks in 1 2 4; do
    "$mpiexec" -np "$ranks" "$segment_mpi" "$@" --out "$name.np$ranks" > "$name.np$ranks.txt" 2> "$name.np$ranks.err"
    diff -r "$name.one" "$name.np$ranks" || { echo "FAIL: $name on $ranks ranks: the files differ"; exit 1; }
    diff "$name.one.txt" <(sed "s|$name.np$ranks/|$name.one/|" "$name.np$ranks.txt") ||
      { echo "FAIL: $name on $ranks ranks: the printed strategy differs"; exit 1; }
    diff "$name.one.err" <(sed "s|^mece-segment-mpi:|mece-segment:|" "$name.np$ranks.err") ||
      { echo "FAIL: $name on $ranks ranks: the messages (rejections, warnings) differ"; exit 1; }
  done
  echo "ok: $name ($(ls "$name.one" | wc -l) files, equal on 1, 2 and 4 ranks)"
}

same_outputs default-bounds --synthetic 400000 --seed 3
grep -q '"action": "split"' default-bounds.one/strategy.json || { echo "FAIL: the default bounds split nothing"; exit 1; }
same_outputs no-bounds --synthetic 400000 --seed 3 --no-constraints --threads 2
same_outputs holdout --synthetic 300000 --seed 4 --holdout 0.1 --min-size 6000 --max-size 25000 --preset seed002 --no-report

"$generate" --rows 200000 --seed 5 --out users.csv > /dev/null
# Quoted fields (newlines and quotes inside every other one, so the ranks' byte ranges begin
# inside them) in an extra column with gaps and text.
python3 - <<'PY'
import csv
rows = list(csv.reader(open("users.csv", newline="")))
rows[0].append("note")
for i, row in enumerate(rows[1:], 1):
    row.append("" if i % 7 == 0 else f"line {i}\nsays \"hi\", twice\n" if i % 2 == 0 else str(i % 13))
with open("quoted.csv", "w", newline="") as f:
    csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n").writerows(rows)
PY
same_outputs csv --input quoted.csv --min-size 2000 --max-size 9000
# Lenient: bad rows and duplicate user ids on every rank's range, the first seen on another.
python3 - <<'PY'
lines = open("quoted.csv").read().split("\n")
records = [k for k, line in enumerate(lines) if line[:1].isdigit()]
for n, k in enumerate(records[1::5000]):
    fields = lines[k].split(",")
    fields[6 if n % 2 else 0] = "1.5" if n % 2 else lines[records[n]].split(",")[0]
    lines[k] = ",".join(fields)
open("lenient.csv", "w").write("\n".join(lines))
PY
same_outputs lenient --input lenient.csv --lenient --no-report
grep -q 'duplicate user id' lenient.one.err || { echo "FAIL: the lenient file has no duplicate ids"; exit 1; }

# A bad row near the end, and a user id the first row has near the end: the same message
# as mece-segment, once, and the outputs kept.
python3 - <<'PY'
lines = open("users.csv").read().split("\n")
bad = list(lines)
fields = bad[-3].split(",")
fields[3] = "lots"
bad[-3] = ",".join(fields)
open("bad.csv", "w").write("\n".join(bad))
fields = lines[-4].split(",")
fields[0] = lines[1].split(",")[0]
lines[-4] = ",".join(fields)
open("duplicate.csv", "w").write("\n".join(lines))
PY
cp -r csv.np4 kept
for input in bad.csv duplicate.csv; do
  expected=$("$segment" --input $input --out unused 2>&1 >/dev/null || true)
  for ranks in 1 4; do
    status=0
    got=$("$mpiexec" -np "$ranks" "$segment_mpi" --input $input --out kept 2>&1 >/dev/null) || status=$?
    [[ $status -eq 1 ]] || { echo "FAIL: $input: exit status $status on $ranks ranks"; exit 1; }
    got=$(grep '^mece-segment' <<< "$got" || true)  # mpirun adds its own note of the exit status
    [[ "$got" == "${expected/mece-segment:/mece-segment-mpi:}" ]] || { echo "FAIL: $input on $ranks ranks: the message is '$got', not '$expected'"; exit 1; }
    diff -r csv.np4 kept || { echo "FAIL: a failed run replaced outputs"; exit 1; }
  done
  echo "ok: $input stops every rank with one message ($expected), outputs kept"
done
