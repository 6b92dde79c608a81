#!/usr/bin/env python3
"""Recomputes every figure of a lift.json from the run's assignments.csv and the outcomes,
with Python's standard library alone and no mece code (SPEC section 8.2), and each
user's group from the bucket recipe of docs/holdout.md. Relative error below 1e-9.

usage: lift_check.py REPO_ROOT RUN_DIR OUTCOMES.csv LIFT_DIR
"""
import collections
import csv
import json
import math
import pathlib
import re
import statistics
import sys

root, run, outcomes_path, lift_dir = (pathlib.Path(a) for a in sys.argv[1:5])
Z = 1.959963984540054
namespace = {}
exec(re.search(r"```python\n(.*?)```", (root / "docs" / "holdout.md").read_text(encoding="utf-8"), re.S).group(1), namespace)
bucket = namespace["bucket"]
lift = json.loads((lift_dir / "lift.json").read_text(encoding="utf-8"))
holdout = json.loads((run / "strategy.json").read_text(encoding="utf-8"))["holdout"]
failures = []


def group_of(user_id):
    if holdout["global_share"] > 0 and bucket(holdout["global_salt"], user_id) < holdout["global_share"] * 10000:
        return "global_control"
    if holdout["share"] > 0 and bucket(holdout["salt"], user_id) < holdout["share"] * 10000:
        return "control"
    return "treatment"


# --- the data -------------------------------------------------------------------------
outcomes, has_revenue = {}, False
with open(outcomes_path, newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    has_revenue = "revenue" in reader.fieldnames
    for row in reader:
        outcomes[int(row["user_id"])] = (row["converted"] == "1", float(row["revenue"]) if has_revenue else 0.0)
arms = collections.defaultdict(lambda: collections.defaultdict(list))  # segment -> group -> [(converted, revenue)]
names, seen = {}, set()
with open(run / "assignments.csv", newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        user = int(row["user_id"])
        seen.add(user)
        if row["group"] != group_of(user):
            failures.append(f"user {user}: group {row['group']}, the recipe says {group_of(user)}")
        names[int(row["segment_id"])] = row["segment_name"]
        arms[int(row["segment_id"])][row["group"]].append(outcomes.get(user, (False, 0.0)))


# --- the formulas, written out ----------------------------------------------------------
def wilson(x, n):
    p, d = x / n, 1 + Z * Z / n
    centre, half = (p + Z * Z / (2 * n)) / d, Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / d
    return centre - half, centre + half


def betacf(a, b, x):  # the continued fraction of the incomplete beta function (Lentz)
    tiny, c, d = 1e-300, 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10000):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-16:
            break
    return h


def incomplete_beta(a, b, x):
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * betacf(a, b, x) / a
    return 1 - front * betacf(b, a, 1 - x) / b


def t_quantile(p, df):  # bisection on Student's t distribution function
    def cdf(t):
        tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t))
        return 1 - tail if t > 0 else tail
    low, high = 0.0, 1.0
    while cdf(high) < p:
        high *= 2
    for _ in range(200):
        mid = (low + high) / 2
        if cdf(mid) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def figures(t, c, control_share):
    nt, nc = len(t), len(c)
    xt, xc = sum(v for v, _ in t), sum(v for v, _ in c)
    out = {"n_treatment": nt, "n_control": nc, "conversions_treatment": xt, "conversions_control": xc}
    if nt == 0 or nc == 0:
        return out
    pt, pc = xt / nt, xc / nc
    (lt, ut), (lc, uc) = wilson(xt, nt), wilson(xc, nc)
    d = pt - pc
    ci = [d - math.sqrt((pt - lt) ** 2 + (uc - pc) ** 2), d + math.sqrt((ut - pt) ** 2 + (pc - lc) ** 2)]
    a, b, cc, dd = xt + 0.5, nt + 0.5, xc + 0.5, nc + 0.5
    log_rr, se = math.log((a / b) / (cc / dd)), math.sqrt(1 / a - 1 / b + 1 / cc - 1 / dd)
    pooled = (xt + xc) / (nt + nc)
    se_z = math.sqrt(pooled * (1 - pooled) * (1 / nt + 1 / nc))
    out.update({
        "rate_treatment": pt, "rate_control": pc, "lift_abs": d, "lift_abs_ci": ci,
        "lift_rel": pt / pc - 1 if xc > 0 else None,
        "lift_rel_ci": [math.exp(log_rr - Z * se) - 1, math.exp(log_rr + Z * se) - 1],
        "p_value": math.erfc(abs(d / se_z) / math.sqrt(2)) if se_z > 0 else 1.0,
        "incremental_conversions": xt - nt * pc, "incremental_conversions_ci": [nt * ci[0], nt * ci[1]],
        "low_data": min(xt, xc, nt - xt, nc - xc) < 5,
        "mde_abs": 2.8016 * math.sqrt(pc * (1 - pc) * (1 / nt + 1 / nc)),
    })
    n = nt + nc
    ec, et = n * control_share, n * (1 - control_share)
    chi2 = (nc - ec) ** 2 / ec + (nt - et) ** 2 / et
    out["srm_p_value"] = math.erfc(math.sqrt(chi2 / 2))
    out["srm"] = out["srm_p_value"] < 0.001
    if has_revenue:
        rt, rc = [r for _, r in t], [r for _, r in c]
        mt, mc = statistics.fmean(rt), statistics.fmean(rc)
        out.update({"revenue_per_user_treatment": mt, "revenue_per_user_control": mc, "revenue_diff": mt - mc,
                    "incremental_revenue": nt * (mt - mc)})
        va, vb = statistics.variance(rt) / nt, statistics.variance(rc) / nc
        if va + vb > 0:
            df = (va + vb) ** 2 / (va * va / (nt - 1) + vb * vb / (nc - 1))
            half = t_quantile(0.975, df) * math.sqrt(va + vb)
            out["revenue_diff_ci"] = [mt - mc - half, mt - mc + half]
    return out


def benjamini_hochberg(ps):
    order = sorted((p, i) for i, p in enumerate(ps) if p is not None)
    q, running, m = [None] * len(ps), 1.0, len(order)
    for k in range(m - 1, -1, -1):
        running = min(running, order[k][0] * m / (k + 1))
        q[order[k][1]] = running
    return q


# --- compare --------------------------------------------------------------------------
def close(got, expected, where):
    if isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            failures.append(f"{where}: {got}, expected {expected}")
            return
        for i, (g, e) in enumerate(zip(got, expected)):
            close(g, e, f"{where}[{i}]")
    elif expected is None or isinstance(expected, bool):
        if got != expected:
            failures.append(f"{where}: {got}, expected {expected}")
    elif got is None or abs(got - expected) > 1e-9 * max(abs(expected), 1e-12):
        failures.append(f"{where}: {got}, expected {expected}")


def check(got, expected, where):
    for key, value in expected.items():
        if key not in got:
            failures.append(f"{where}: no {key}")
        else:
            close(got[key], value, f"{where}.{key}")


segment_ids = sorted(names)
expected = {s: figures(arms[s]["treatment"], arms[s]["control"], holdout["share"]) for s in segment_ids}
qs = benjamini_hochberg([expected[s].get("p_value") for s in segment_ids])
for s, q in zip(segment_ids, qs):
    expected[s]["q_value"] = q
    expected[s]["significant"] = q is not None and q < 0.05
if [s["id"] for s in lift["segments"]] != segment_ids:
    failures.append("segments are not those of the assignments, by id")
for got in lift["segments"]:
    if got["name"] != names.get(got["id"]):
        failures.append(f"segment {got['id']}: name {got['name']}")
    check(got, expected.get(got["id"], {}), f"segment {got['id']}")
every = lambda g: [v for s in segment_ids for v in arms[s][g]]
total = figures(every("treatment"), every("control"), holdout["share"])
total["q_value"] = total.get("p_value")
check(lift["total"], total, "total")
if holdout["global_share"] > 0:
    g, s = holdout["global_share"], holdout["share"]
    check(lift["global"], figures(every("treatment"), every("global_control"), g / (g + (1 - g) * (1 - s))), "global")
unmatched = sum(1 for user in outcomes if user not in seen)
close(lift["unmatched_outcomes"], unmatched, "unmatched_outcomes")
close(lift["users"], len(seen), "users")

for failure in failures[:30]:
    print("FAIL:", failure)
print(f"{len(seen)} users, {len(segment_ids)} segments, {len(outcomes)} outcome rows: {len(failures)} problems")
sys.exit(1 if failures else 0)
