#!/usr/bin/env python3
"""Runs the bucket recipe of docs/holdout.md, as printed there, on the test vectors
printed there: the docs stay true, with Python's standard library alone.

usage: holdout_recipe.py REPO_ROOT
"""
import pathlib
import re
import sys

text = (pathlib.Path(sys.argv[1]) / "docs" / "holdout.md").read_text(encoding="utf-8")
recipe = re.search(r"```python\n(.*?)```", text, re.S).group(1)
namespace = {}
exec(recipe, namespace)
bucket = namespace["bucket"]
rows = re.findall(r"^\| (`[^`]*`|\(empty\)) \| (-?\d+) \| (\d+) \|$", text, re.M)
if len(rows) < 10:
    sys.exit(f"expected the ten test vectors in docs/holdout.md, found {len(rows)}")
failures = 0
for salt, user_id, expected in rows:
    salt = "" if salt == "(empty)" else salt.strip("`")
    got = bucket(salt, int(user_id))
    if got != int(expected):
        print(f"bucket({salt!r}, {user_id}) = {got}, the docs say {expected}")
        failures += 1
print(f"{len(rows)} test vectors, {failures} wrong")
sys.exit(1 if failures else 0)
