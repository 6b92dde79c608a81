#!/usr/bin/env bash
# The output directory on a shared, hostile file system, tried with the real tools:
# concurrent runs into one --out, links planted at temporary and final names, a commit
# that cannot complete, an output that would replace the input, a full disk under
# mece-generate.
# usage: output_dir_test.sh MECE_SEGMENT MECE_GENERATE WORK_DIR
set -uo pipefail
segment=$1 generate=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
checksums() { (cd "$1" && find . -maxdepth 1 -type f -print0 | sort -z | xargs -0 sha256sum); }

# Reference outputs of two runs with different bounds, each alone.
run_a=(--synthetic 60000 --seed 5 --min-size 300 --max-size 4000)
run_b=(--synthetic 60000 --seed 5)
"$segment" "${run_a[@]}" --out ref-a > /dev/null || fail "reference run a"
"$segment" "${run_b[@]}" --out ref-b > /dev/null || fail "reference run b"
checksums ref-a > a.sha256
checksums ref-b > b.sha256
cmp -s a.sha256 b.sha256 && fail "the two reference runs wrote the same files"

# 1. Two runs into one folder, started together, 20 times: the folder always holds one
#    run's complete set, and a run that exits 0 wrote that set (or was replaced whole by
#    the other, which also exited 0). A refused run says why.
for round in $(seq 1 20); do
  rm -rf shared
  "$segment" "${run_a[@]}" --out shared > /dev/null 2> a.err & pid_a=$!
  "$segment" "${run_b[@]}" --out shared > /dev/null 2> b.err & pid_b=$!
  wait $pid_a; code_a=$?
  wait $pid_b; code_b=$?
  checksums shared > now.sha256
  if cmp -s now.sha256 a.sha256; then holds=a; elif cmp -s now.sha256 b.sha256; then holds=b; else holds=mixed; fi
  [[ $holds == mixed ]] && { fail "round $round: the folder holds a mixed set"; diff a.sha256 now.sha256 | head; }
  [[ $code_a -ne 0 && $code_b -ne 0 ]] && fail "round $round: both runs failed"
  [[ $code_a -eq 0 && $code_b -ne 0 && $holds != a ]] && fail "round $round: run a exited 0 but the folder holds $holds"
  [[ $code_b -eq 0 && $code_a -ne 0 && $holds != b ]] && fail "round $round: run b exited 0 but the folder holds $holds"
  for run in a b; do
    code=code_$run
    if [[ ${!code} -ne 0 ]] && ! grep -qF "another run is writing to this directory" $run.err; then
      fail "round $round: run $run exited ${!code} without saying why:"; cat $run.err
    fi
  done
  compgen -G "shared/*.partial" > /dev/null && fail "round $round: temporary files left"
done
echo "concurrent runs: 20 rounds checked"

# 2. Links planted at the names, pointing outside the folder: the files outside stay as
#    they are; the links are replaced by the run's own files.
rm -rf linked elsewhere && mkdir -p linked elsewhere
echo "outside" > elsewhere/target
for name in strategy.md.partial assignments.csv.partial report.html.tmp strategy.md strategy.json; do
  ln -s ../elsewhere/target "linked/$name"
done
ln -s ../elsewhere linked/tree.svg
"$segment" "${run_b[@]}" --out linked > /dev/null || fail "the run with planted links failed"
[[ $(cat elsewhere/target) == outside ]] || fail "a file outside --out was overwritten through a link"
[[ $(ls elsewhere) == target ]] || fail "a file was created outside --out"
[[ -L linked/strategy.md || -L linked/strategy.json || -L linked/tree.svg ]] && fail "an output is still a link"
cmp -s linked/strategy.json ref-b/strategy.json || fail "the run with planted links wrote other outputs"
echo "links: nothing outside --out changed"

# 3. A commit that cannot complete (a target name is a non-empty directory): exit 1, the
#    previous outputs byte for byte as they were, no temporary files.
rm -rf failing && cp -r ref-a failing
rm failing/report.html && mkdir -p failing/report.html/inside && touch failing/report.html/inside/x
checksums failing > before.sha256
"$segment" "${run_b[@]}" --out failing > /dev/null 2> failing.err && fail "a commit over a directory exited 0"
grep -qF "failing/report.html: is a directory, where an output file goes; nothing was replaced" failing.err ||
  { fail "the failed commit does not say why:"; cat failing.err; }
checksums failing > after.sha256
cmp -s before.sha256 after.sha256 || { fail "a failed commit changed the previous outputs"; diff before.sha256 after.sha256; }
compgen -G "failing/*.partial" > /dev/null && fail "a failed commit left temporary files"
echo "failed commit: the previous outputs are unchanged"

# 4a. An output that would replace the input (or the config) is refused, naming both.
rm -rf inside && mkdir inside
"$generate" --rows 5000 --out inside/assignments.csv || fail "mece-generate"
sha256sum inside/assignments.csv > input.sha256
"$segment" --input inside/assignments.csv --out inside > /dev/null 2> inside.err && fail "an output replaced the input"
grep -qF "inside/assignments.csv: this output would replace the run's input inside/assignments.csv; choose another output directory" inside.err ||
  { fail "replacing the input is not explained:"; cat inside.err; }
sha256sum --quiet -c input.sha256 || fail "the input changed"
echo '{"segments": [{"name": "All"}]}' > inside/strategy.json
"$segment" --config inside/strategy.json --synthetic 5000 --out inside > /dev/null 2> config.err && fail "an output replaced the config"
grep -qF "this output would replace the run's input inside/strategy.json" config.err || { fail "replacing the config:"; cat config.err; }
echo "input protected"

# 4b. mece-generate on a full disk (here: the file size limit): a clear reason, no
#     truncated file, the previous file kept.
echo "previous" > full.csv
( ulimit -f 64; trap '' XFSZ; exec "$generate" --rows 100000 --out full.csv ) 2> full.err && fail "mece-generate ignored a failed write"
grep -qF "full.csv: cannot write: File too large; nothing was replaced" full.err || { fail "the failed write:"; cat full.err; }
[[ $(cat full.csv) == previous ]] || fail "mece-generate left a truncated file"
compgen -G "full.csv.*" > /dev/null && fail "mece-generate left a temporary file"
echo "full disk: nothing truncated"

if [[ $failures -gt 0 ]]; then echo "$failures failure(s)"; exit 1; fi
echo "all output directory checks passed"
