#!/usr/bin/env python3
"""Checks a run's holdout with Python's standard library alone, using no mece code: each
user's group in assignments.csv from the bucket recipe printed in docs/holdout.md, and
each segment's n_treatment, n_control, n_global_control and mde_abs in strategy.json and
strategy.csv from those groups.

usage: holdout_check.py REPO_ROOT RUN_DIR [EXPECTED_SHARE EXPECTED_GLOBAL_SHARE]
"""
import collections
import csv
import json
import math
import pathlib
import re
import sys

root, run = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
text = (root / "docs" / "holdout.md").read_text(encoding="utf-8")
namespace = {}
exec(re.search(r"```python\n(.*?)```", text, re.S).group(1), namespace)
bucket = namespace["bucket"]

strategy = json.loads((run / "strategy.json").read_text(encoding="utf-8"))
holdout = strategy["holdout"]
failures = []
if holdout is None:
    sys.exit(f"{run}/strategy.json: no holdout")
if holdout["hash"] != "fnv1a64-splitmix64-mod10000":
    failures.append(f"hash {holdout['hash']}")
if len(sys.argv) > 3 and (holdout["share"], holdout["global_share"]) != (float(sys.argv[3]), float(sys.argv[4])):
    failures.append(f"shares {holdout['share']}, {holdout['global_share']}, expected {sys.argv[3]}, {sys.argv[4]}")


def group(user_id):
    if holdout["global_share"] > 0 and bucket(holdout["global_salt"], user_id) < holdout["global_share"] * 10000:
        return "global_control"
    if holdout["share"] > 0 and bucket(holdout["salt"], user_id) < holdout["share"] * 10000:
        return "control"
    return "treatment"


counts = collections.defaultdict(collections.Counter)
users = 0
with open(run / "assignments.csv", newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    if next(reader) != ["user_id", "segment_id", "segment_name", "group"]:
        failures.append("assignments.csv: header is not user_id,segment_id,segment_name,group")
    for line, row in enumerate(reader, start=2):
        expected = group(int(row[0]))
        if row[3] != expected:
            failures.append(f"assignments.csv line {line}: user {row[0]} is {row[3]}, the recipe says {expected}")
        counts[int(row[1])][row[3]] += 1
        users += 1

with open(run / "strategy.csv", newline="", encoding="utf-8") as f:
    table = {int(row["id"]): row for row in csv.DictReader(f)}


def close(a, b):
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-9 * max(abs(b), 1e-300))


p = holdout["baseline_rate"]
for segment in strategy["segments"]:
    c = counts[segment["id"]]
    n_t, n_c, n_g = c["treatment"], c["control"], c["global_control"]
    got = (segment["n_treatment"], segment["n_control"], segment["n_global_control"])
    if got != (n_t, n_c, n_g):
        failures.append(f"segment {segment['name']}: groups {got}, counted {(n_t, n_c, n_g)}")
    mde = 2.8016 * math.sqrt(p * (1 - p) * (1 / n_t + 1 / n_c)) if n_t and n_c else None
    if not close(segment["mde_abs"], mde):
        failures.append(f"segment {segment['name']}: mde_abs {segment['mde_abs']}, expected {mde}")
    row = table[segment["id"]]
    if (int(row["n_treatment"]), int(row["n_control"])) != (n_t, n_c):
        failures.append(f"strategy.csv, segment {segment['name']}: groups {row['n_treatment']}, {row['n_control']}")
    if not close(float(row["mde_abs"]) if row["mde_abs"] else None, mde):
        failures.append(f"strategy.csv, segment {segment['name']}: mde_abs {row['mde_abs']}, expected {mde}")
total = sum((counts[s["id"]] for s in strategy["segments"]), collections.Counter())
if (holdout["n_treatment"], holdout["n_control"], holdout["n_global_control"]) != (
        total["treatment"], total["control"], total["global_control"]):
    failures.append("strategy.json: holdout totals differ from the counts")

for failure in failures[:20]:
    print("FAIL:", failure)
print(f"{users} users, {len(strategy['segments'])} segments; groups {dict(total)}; {len(failures)} problems")
sys.exit(1 if failures else 0)
