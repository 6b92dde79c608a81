#!/usr/bin/env python3
"""Checks what mece-diff wrote with Python's standard library alone, using no mece code:
joins the two runs' assignments.csv by user id and recomputes the transition matrix
(migration.csv, migration.json), each segment's stayed, entered and left, and delta.csv
(the users whose segment changed, by user id).

usage: diff_check.py OLD_RUN NEW_RUN DIFF_DIR
"""
import csv
import json
import pathlib
import sys

old_run, new_run, out = (pathlib.Path(p) for p in sys.argv[1:4])
OUT = "(not in universe)"


def read(run):
    users, names = {}, {}
    with open(run / "assignments.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            users[int(row["user_id"])] = row["segment_name"]
            names[int(row["segment_id"])] = row["segment_name"]
    return users, [names[k] for k in sorted(names)]


old, old_names = read(old_run)
new, new_names = read(new_run)
rows, columns = old_names + [OUT], new_names + [OUT]
matrix = {(r, c): 0 for r in rows for c in columns}
flows = {}
delta = []
for user in sorted(set(old) | set(new)):
    a, b = old.get(user, OUT), new.get(user, OUT)
    matrix[(a, b)] += 1
    for name in (a, b):
        flows.setdefault(name, {"stayed": 0, "entered": 0, "left": 0, "old_size": 0, "new_size": 0})
    flows[a]["old_size"] += a != OUT
    flows[b]["new_size"] += b != OUT
    if a == b:
        flows[a]["stayed"] += 1
        continue
    if a != OUT:
        flows[a]["left"] += 1
    if b != OUT:
        flows[b]["entered"] += 1
    change = "entered" if a == OUT else "left" if b == OUT else "moved"
    delta.append([str(user), "" if a == OUT else a, "" if b == OUT else b, change])

failures = []
with open(out / "delta.csv", newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    if next(reader) != ["user_id", "old_segment", "new_segment", "change"]:
        failures.append("delta.csv: header")
    got = list(reader)
if got != delta:
    first = next((i for i, (g, e) in enumerate(zip(got, delta)) if g != e), min(len(got), len(delta)))
    failures.append(f"delta.csv: {len(got)} rows, the join gives {len(delta)}; first difference at row {first + 2}")

with open(out / "migration.csv", newline="", encoding="utf-8") as f:
    table = list(csv.reader(f))
expected_table = [["old_segment"] + columns] + [[r] + [str(matrix[(r, c)]) for c in columns] for r in rows]
if table != expected_table:
    failures.append("migration.csv: not the join's matrix")

report = json.loads((out / "migration.json").read_text(encoding="utf-8"))
if report["rows"] != rows or report["columns"] != columns:
    failures.append("migration.json: rows or columns")
if report["matrix"] != [[matrix[(r, c)] for c in columns] for r in rows]:
    failures.append("migration.json: matrix")
for s in report["segments"]:
    want = flows.get(s["name"], {"stayed": 0, "entered": 0, "left": 0, "old_size": 0, "new_size": 0})
    if any(s[k] != want[k] for k in want):
        failures.append(f"migration.json: segment {s['name']!r}: {s}, the join gives {want}")
shared = len(set(old) & set(new))
totals = {"old_users": len(old), "new_users": len(new), "shared_users": shared, "delta_rows": len(delta),
          "moved": sum(d[3] == "moved" for d in delta), "entered": sum(d[3] == "entered" for d in delta),
          "left": sum(d[3] == "left" for d in delta), "stayed": shared - sum(d[3] == "moved" for d in delta)}
for key, value in totals.items():
    if report[key] != value:
        failures.append(f"migration.json: {key} {report[key]}, the join gives {value}")
for line in failures:
    print("FAIL:", line)
if failures:
    sys.exit(1)
print(f"diff_check: {len(old)} and {len(new)} users, {shared} in both, {len(delta)} in the delta, "
      f"{len(rows)}x{len(columns)} matrix: all agree with the join")
