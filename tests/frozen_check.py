#!/usr/bin/env python3
"""Checks what mece-assign wrote with Python's standard library alone, using no mece code:
which users of the input are in the window, and each one's segment, from each segment's
JSON `rule` in strategy.json (exactly one must select the user) and its group from the
bucket recipe of docs/holdout.md.

usage: frozen_check.py REPO_ROOT STRATEGY_JSON INPUT_CSV ASSIGNMENTS_CSV [AS_OF]
"""
import csv
import datetime
import json
import math
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
strategy = json.loads(pathlib.Path(sys.argv[2]).read_text(encoding="utf-8"))
as_of = datetime.date.fromisoformat(sys.argv[5] if len(sys.argv) > 5 else strategy["as_of"])
window = strategy["window_days"]
first_day = as_of - datetime.timedelta(days=window - 1)

M = 2**64


def user_id_hash(user_id):
    z = (user_id + 0x9E3779B97F4A7C15) % M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % M
    return (z ^ (z >> 31)) >> 40


namespace = {}
exec(re.search(r"```python\n(.*?)```", (root / "docs" / "holdout.md").read_text(encoding="utf-8"), re.S).group(1), namespace)
bucket = namespace["bucket"]
holdout = strategy["holdout"]


def group(user_id):
    if holdout["global_share"] > 0 and bucket(holdout["global_salt"], user_id) < holdout["global_share"] * 10000:
        return "global_control"
    if holdout["share"] > 0 and bucket(holdout["salt"], user_id) < holdout["share"] * 10000:
        return "control"
    return "treatment"


def features(row):
    cart = datetime.date.fromisoformat(row["cart_abandoned_date"])
    out = {k: float(v) for k, v in row.items() if k not in ("user_id", "cart_abandoned_date", "last_order_date") and v != ""}
    out["days_since_abandon"] = float((as_of - cart).days)
    if row["last_order_date"]:
        out["days_since_last_order"] = float((as_of - datetime.date.fromisoformat(row["last_order_date"])).days)
    out["user_id_hash"] = float(user_id_hash(int(row["user_id"])))
    return out


OPS = {"<": lambda x, v: x < v, "<=": lambda x, v: x <= v, ">": lambda x, v: x > v, ">=": lambda x, v: x >= v,
       "==": lambda x, v: x == v}


def holds(rule, f):
    if rule is True:
        return True
    if "all" in rule:
        return all(holds(t, f) for t in rule["all"])
    if "any" in rule:
        return any(holds(t, f) for t in rule["any"])
    if "not" in rule:
        return not holds(rule["not"], f)
    x, v = f.get(rule["feature"]), rule["value"]
    if x is None or v is None or math.isnan(x):
        return False  # a missing value, or a quantile of no data, matches no predicate
    return OPS[rule["op"]](x, v)


segments = [(s["id"], s["name"], s["rule"]) for s in strategy["segments"]]
expected = []
with open(sys.argv[3], newline="", encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        cart = datetime.date.fromisoformat(row["cart_abandoned_date"])
        if not first_day <= cart <= as_of:
            continue
        f_ = features(row)
        chosen = [(i, n) for i, n, r in segments if holds(r, f_)]
        if len(chosen) != 1:
            sys.exit(f"user {row['user_id']}: selected by {len(chosen)} segments' rules: {chosen}")
        uid = int(row["user_id"])
        expected.append([str(uid), str(chosen[0][0]), chosen[0][1]] + ([group(uid)] if holdout else []))

with open(sys.argv[4], newline="", encoding="utf-8") as f:
    reader = csv.reader(f)
    header = next(reader)
    want = ["user_id", "segment_id", "segment_name"] + (["group"] if holdout else [])
    if header != want:
        sys.exit(f"{sys.argv[4]}: header {header}, expected {want}")
    got = list(reader)
failures = [f"line {n + 2}: {g} but the rules say {e}" for n, (g, e) in enumerate(zip(got, expected)) if g != e]
if len(got) != len(expected):
    failures.append(f"{len(got)} users assigned, {len(expected)} in the window")
for line in failures[:20]:
    print(line)
if failures:
    sys.exit(f"{len(failures)} differences")
print(f"frozen_check: {len(got)} users in the window {first_day}..{as_of}, each in the one segment whose rule selects it, "
      f"over {len(segments)} segments")
