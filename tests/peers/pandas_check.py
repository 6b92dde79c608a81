#!/usr/bin/env python3
"""Checks a mece-segment run against pandas/numpy, without using the library.

1. Recomputes the universe, the seed004 thresholds (numpy.quantile, linear) and the
   segment sizes (numpy.select, the seeds' own style) from the CSV, and compares them
   with strategy.json.
   (run mece-segment with --no-constraints for this: numpy.select has no size bounds).
2. Evaluates every segment's machine-readable `rule` from strategy.json, and its rule
   text (`rules_applied`, read by rule_text.py), on the universe and checks each
   selects exactly the users assignments.csv gives the segment, and that
   assignments.csv has every universe user exactly once.
3. With --constraints: every segment is within [min_size, max_size] from strategy.json
   or flagged invalid with a reason, and the sizes sum to the universe.

4. With --seed004 or --overlap004: strategy.json's `overlap`, the users matching each
   pair of seed004's five rules as written, against numpy's count of each pair.

usage: pandas_check.py DATA.csv OUT_DIR [--seed004] [--overlap004] [--constraints]
       pandas_check.py --write DATA.csv ROWS SEED   (random data written by pandas)
"""
import json
import sys

import numpy as np
import pandas as pd

import rule_text


def load(csv_path, as_of, window_days):
    df = pd.read_csv(csv_path, dtype={"user_id": "int64"}, keep_default_na=False, na_values={"last_order_date": [""]})
    abandoned = pd.to_datetime(df["cart_abandoned_date"], format="%Y-%m-%d")
    last_order = pd.to_datetime(df["last_order_date"], format="%Y-%m-%d")
    as_of = pd.Timestamp(as_of)
    first = as_of - pd.Timedelta(days=window_days - 1)
    universe = df[(abandoned >= first) & (abandoned <= as_of)].copy()
    universe["days_since_abandon"] = (as_of - abandoned[universe.index]).dt.days.astype(float)
    universe["days_since_last_order"] = (as_of - last_order[universe.index]).dt.days.astype(float)
    universe["user_id_hash"] = user_id_hash(universe["user_id"].to_numpy())
    return universe


def user_id_hash(ids):
    """The top 24 bits of SplitMix64 of each id, as docs/strategy-json.md defines it."""
    z = ids.astype(np.int64).view(np.uint64)
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return ((z ^ (z >> np.uint64(31))) >> np.uint64(40)).astype(float)


def evaluate(rule, df):
    if rule is True:
        return np.ones(len(df), dtype=bool)
    if "all" in rule:
        mask = np.ones(len(df), dtype=bool)
        for term in rule["all"]:
            mask &= evaluate(term, df)
        return mask
    if "any" in rule:
        mask = np.zeros(len(df), dtype=bool)
        for term in rule["any"]:
            mask |= evaluate(term, df)
        return mask
    if "not" in rule:
        return ~evaluate(rule["not"], df)
    x = df[rule["feature"]].to_numpy(dtype=float)
    v = rule["value"]
    with np.errstate(invalid="ignore"):  # NaN (never ordered) compares false
        return {"<": x < v, "<=": x <= v, ">": x > v, ">=": x >= v, "==": x == v}[rule["op"]]


def seed004_conditions(u):
    """The seed004 thresholds (numpy.quantile) and its five rules as written, each on its own."""
    aov, eng, prof = u["avg_order_value"], u["engagement_score"], u["profitability_score"]
    q = {
        "aov40": np.quantile(aov, 0.40), "aov75": np.quantile(aov, 0.75),
        "eng40": np.quantile(eng, 0.40), "eng70": np.quantile(eng, 0.70),
        "prof70": np.quantile(prof, 0.70),
    }
    recent = u["days_since_last_order"] <= 30
    conditions = [
        aov >= q["aov75"],
        (aov >= q["aov40"]) & (aov < q["aov75"]) & (eng >= q["eng70"]),
        (aov >= q["aov40"]) & (aov < q["aov75"]) & (eng >= q["eng40"]) & (eng < q["eng70"]) & (prof >= q["prof70"]),
        (aov < q["aov40"]) & (eng >= q["eng70"]),
        recent,
    ]
    return q, [c.to_numpy() for c in conditions]


def seed004_sizes(u):
    q, conditions = seed004_conditions(u)
    segment = np.select(conditions, [1, 2, 3, 4, 5], default=6)
    return q, [int((segment == k).sum()) for k in range(1, 7)]


def check_overlap(u, strategy, failures):
    """strategy.json's overlap: the users matching each pair of the five rules as written."""
    _, conditions = seed004_conditions(u)
    expected = [[int((a & b).sum()) for b in conditions] for a in conditions]
    if strategy["overlap"]["counts"] != expected or len(strategy["overlap"]["rules"]) != 5:
        failures.append(f"overlap: numpy {expected}, mece {strategy['overlap']}")
    print(f"overlap of the five rules as written agrees with numpy: {expected}")


def write(path, rows, seed):
    """A CSV written by pandas, not by mece: reordered columns, a quoted text column, an
    extra numeric column, full-precision floats."""
    rng = np.random.default_rng(seed)
    as_of = np.datetime64("2026-11-15")
    abandoned = as_of - rng.integers(0, 30, rows).astype("timedelta64[D]")
    last = abandoned - rng.integers(0, 120, rows).astype("timedelta64[D]")
    last_text = pd.Series(last.astype(str)).where(rng.random(rows) > 0.2, "")
    df = pd.DataFrame({
        "note": rng.choice(["vip, returning", 'said "later"', "plain"], rows),
        "engagement_score": rng.beta(2, 3, rows),
        "user_id": rng.permutation(rows) + 500,
        "avg_order_value": rng.lognormal(5, 1, rows),
        "cart_abandoned_date": abandoned.astype(str),
        "last_order_date": last_text,
        "profitability_score": rng.random(rows),
        "sessions_last_30d": rng.poisson(6, rows),
        "num_cart_items": 1 + rng.poisson(2, rows),
        "visits": rng.random(rows) * 10,
    })
    df.to_csv(path, index=False)
    return 0


def main():
    if sys.argv[1] == "--write":
        return write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    csv_path, out_dir = sys.argv[1], sys.argv[2]
    strategy = json.load(open(f"{out_dir}/strategy.json"))
    u = load(csv_path, strategy["as_of"], strategy["window_days"])
    failures = []
    if len(u) != strategy["universe_size"]:
        failures.append(f"universe: pandas {len(u)}, mece {strategy['universe_size']}")

    if "--seed004" in sys.argv:
        q, sizes = seed004_sizes(u)
        mece_thresholds = {(t["feature"], t.get("quantile")): t["value"] for t in strategy["thresholds"]}
        expected = {("avg_order_value", 0.4): q["aov40"], ("avg_order_value", 0.75): q["aov75"],
                    ("engagement_score", 0.4): q["eng40"], ("engagement_score", 0.7): q["eng70"],
                    ("profitability_score", 0.7): q["prof70"]}
        for key, value in expected.items():
            if mece_thresholds.get(key) != value:
                failures.append(f"threshold {key}: numpy {value!r}, mece {mece_thresholds.get(key)!r}")
        mece_sizes = [s["size"] for s in sorted(strategy["segments"], key=lambda s: s["id"])]
        if mece_sizes != sizes:
            failures.append(f"sizes: numpy.select {sizes}, mece {mece_sizes}")
        print(f"numpy.select sizes {sizes}")
        print(f"mece sizes         {mece_sizes}")

    if "--seed004" in sys.argv or "--overlap004" in sys.argv:
        check_overlap(u, strategy, failures)

    assigned = pd.read_csv(f"{out_dir}/assignments.csv", keep_default_na=False)
    if assigned["user_id"].duplicated().any():
        failures.append("assignments.csv lists a user twice")
    if set(assigned["user_id"]) != set(u["user_id"]) or len(assigned) != len(u):
        failures.append(f"assignments.csv has {len(assigned)} rows for a universe of {len(u)}")
    segment_of = dict(zip(assigned["user_id"], assigned["segment_id"]))
    ids = u["user_id"].map(segment_of).to_numpy()
    for s in strategy["segments"]:
        selected = evaluate(s["rule"], u)
        members = ids == s["id"]
        if not np.array_equal(selected, members) or int(members.sum()) != s["size"]:
            failures.append(f"segment {s['id']} '{s['name']}': rule selects {int(selected.sum())}, "
                            f"{int(members.sum())} assigned, size {s['size']}")
        read = rule_text.evaluate(rule_text.parse(s["rules_applied"]), u)
        if not np.array_equal(read, members):
            failures.append(f"segment {s['id']} '{s['name']}': its text {s['rules_applied']!r} selects "
                            f"{int(read.sum())}, {int(members.sum())} assigned")
    if "--constraints" in sys.argv:
        low, high = strategy["constraints"]["min_size"], strategy["constraints"]["max_size"]
        if sum(s["size"] for s in strategy["segments"]) != len(u):
            failures.append("segment sizes do not sum to the universe")
        for s in strategy["segments"]:
            within = low <= s["size"] <= high
            if s["valid"] != within or (not within and not s["invalid_reason"]):
                failures.append(f"segment {s['id']} '{s['name']}': size {s['size']}, valid {s['valid']}, "
                                f"reason {s['invalid_reason']!r}, bounds [{low}, {high}]")
        flagged = [s for s in strategy["segments"] if not s["valid"]]
        print(f"bounds [{low}, {high}]: {len(strategy['segments']) - len(flagged)} segments within, "
              f"{len(flagged)} flagged with a reason")
    print(f"universe {len(u)} users, {len(strategy['segments'])} segments, every rule and rule text checked against assignments.csv")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("pandas check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
