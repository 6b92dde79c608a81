#!/usr/bin/env bash
# Strong and weak scaling of mece-segment-mpi on this machine, and what its collectives
# move: USERS synthetic users (default 10 million) with the default bounds on 1, 2 and
# 4 ranks (strong), and USERS/4 per rank (weak); mece-segment alone for reference. On a
# machine with fewer cores than ranks, the ranks share the cores: the figures then
# measure the cost of sharding and communication, not a speed-up.
# Prints a Markdown table, then each stage's rounds and bytes on 4 ranks and the
# projection of that traffic to 64 ranks under the stated network assumptions.
# Ranks are not bound to cores (--bind-to none), so that one rank may use every core.
# Usage: bench/mpi_scaling.sh [BUILD_DIR] [USERS]
set -euo pipefail
build=${1:-build} users=${2:-10000000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cores=$(nproc)

timed() {  # LABEL OUT COMMAND...: the --timings line, labelled; the outputs in OUT
  local label=$1 out=$2; shift 2
  "$@" --timings --no-report --out "$out" > /dev/null 2> "$work/err"
  echo "$label $(tail -n 1 "$work/err")"
}
{
  timed "one $users $cores" "$work/one" "$build/examples/mece-segment" --synthetic "$users" --threads "$cores"
  for ranks in 1 2 4; do
    threads=$(( cores / ranks > 0 ? cores / ranks : 1 ))
    timed "strong $users $threads" "$work/np$ranks" mpirun --bind-to none -np $ranks "$build/examples/mece-segment-mpi" --synthetic "$users" --threads $threads
  done
  for ranks in 1 2 4; do
    threads=$(( cores / ranks > 0 ? cores / ranks : 1 ))
    timed "weak $(( users / 4 * ranks )) $threads" "$work/out" mpirun --bind-to none -np $ranks "$build/examples/mece-segment-mpi" --synthetic $(( users / 4 * ranks )) --threads $threads
  done
} > "$work/runs"
# Every file of the 4-rank run equals mece-segment's (assignments.csv holds every user).
diff -r "$work/one" "$work/np4" > /dev/null || { echo "FAIL: the outputs of 4 ranks differ from mece-segment's"; exit 1; }
echo "The outputs of mpirun -np 4 and mece-segment on $users users are identical: $(ls "$work/one" | tr '\n' ' ')($(du -sh "$work/one" | cut -f1))"
echo

python3 - "$work/runs" <<'PY'
import json, math, sys
runs = []
for line in open(sys.argv[1]):
    kind, users, threads, text = line.split(" ", 3)
    runs.append((kind, int(users), int(threads), json.loads(text)))
print("| run | ranks | threads per rank | users | load s | segment s | write s | total s | rounds | MB moved (most of a rank) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for kind, users, threads, t in runs:
    ranks = t.get("ranks", 1)
    rounds = sum(t.get(f"{s}_rounds", 0) for s in ("load", "segment", "write"))
    moved = sum(t.get(f"{s}_bytes", 0) for s in ("load", "segment", "write")) / 1e6
    name = "mece-segment" if kind == "one" else f"{kind}"
    print(f"| {name} | {ranks} | {threads} | {users:,} | {t['load_s']:.2f} | {t['segment_s']:.2f} | {t['write_s']:.2f} | "
          f"{t['total_s']:.2f} | {rounds if kind != 'one' else ''} | {f'{moved:.1f}' if kind != 'one' else ''} |")
four = [t for kind, users, threads, t in runs if kind == "strong" and t.get("ranks") == 4][0]
print()
print("| stage (4 ranks) | rounds | MB (most of a rank) | bytes per round |")
print("|---|---:|---:|---:|")
for s in ("load", "segment", "write"):
    r, b = four[f"{s}_rounds"], four[f"{s}_bytes"]
    print(f"| {s} | {r} | {b / 1e6:.2f} | {b / max(r, 1):,.0f} |")
# 64 ranks: every collective a tree or ring of log2(64) = 6 steps of latency alpha; the
# bytes a rank gives at bandwidth beta (a rank's bytes taken as on 4 ranks: the
# reductions' payloads do not grow with the ranks, the users moved shrink).
rounds = sum(four[f"{s}_rounds"] for s in ("load", "segment", "write"))
moved = sum(four[f"{s}_bytes"] for s in ("load", "segment", "write"))
print()
for net, alpha, beta in (("InfiniBand HDR (2 us, 20 GB/s)", 2e-6, 20e9), ("25 GbE (25 us, 3 GB/s)", 25e-6, 3e9),
                         ("10 GbE (50 us, 1.2 GB/s)", 50e-6, 1.2e9)):
    latency = rounds * alpha * math.log2(64)
    print(f"- 64 ranks on {net}: {rounds} rounds x 6 steps x {alpha * 1e6:.0f} us = {latency * 1e3:.1f} ms of latency, "
          f"{moved / 1e6:.1f} MB / {beta / 1e9:g} GB/s = {moved / beta * 1e3:.1f} ms of transfer")
PY
