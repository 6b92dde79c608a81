#!/usr/bin/env python3
"""Prints the peer comparison table from the files bench/peers/run.sh leaves in WORK;
exits 1 unless pandas, DuckDB and mece give identical segment sizes.

usage: report.py WORK ROWS
"""
import json
import sys

work, rows = sys.argv[1], int(sys.argv[2])
runs = {name: json.load(open(f"{work}/{name}.json")) for name in ("pandas", "duckdb", "mece")}
for name in runs:
    runs[name]["peak_mb"] = int(open(f"{work}/{name}.kb").read().split()[-1]) / 1024
strategy = json.load(open(f"{work}/mece-out/strategy.json"))
runs["mece"]["sizes"] = [s["size"] for s in sorted(strategy["segments"], key=lambda s: s["id"])]

columnar_mb = rows * (8 + 4 + 4 + 3 * 8 + 4 + 4) / 2**20  # the schema's columns in double
print(f"| {rows:,} users, seed004, no size bounds | load (s) | segmentation (s) | peak memory (MB) |")
print("|---|---:|---:|---:|")
for name, label in (("pandas", "pandas/numpy (seeds' style)"), ("duckdb", "DuckDB, 2 threads"),
                    ("mece", "mece-segment, 2 threads")):
    r = runs[name]
    print(f"| {label} | {r['load_s']:.2f} | {r['segment_s']:.3f} | {r['peak_mb']:.0f} |")
m = runs["mece"]
for name, label in (("pandas", "pandas"), ("duckdb", "DuckDB")):
    r = runs[name]
    print(f"| mece's advantage over {label} | {r['load_s'] / m['load_s']:.1f}x | {r['segment_s'] / m['segment_s']:.1f}x "
          f"| {r['peak_mb'] / m['peak_mb']:.1f}x less |")
print(f"\nmece peak memory: {m['peak_mb']:.0f} MB = {m['peak_mb'] / columnar_mb:.2f}x the columnar data "
      f"({columnar_mb:.0f} MB in double)")
stages = {k: v for k, v in m.items() if k.endswith("_s") and k not in ("load_s", "segment_s", "write_s", "total_s")}
if stages:
    print("mece segmentation stages (s): " + ", ".join(f"{k[:-2]} {v:.3f}" for k, v in stages.items()))

sizes = {name: runs[name]["sizes"] for name in runs}
print("\nsegment sizes: " + "; ".join(f"{name} {s}" for name, s in sizes.items()))
if len({tuple(s) for s in sizes.values()}) != 1:
    print("FAILED: the segment sizes differ")
    sys.exit(1)
print("identical segment sizes in all three")
