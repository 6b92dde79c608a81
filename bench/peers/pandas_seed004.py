#!/usr/bin/env python3
"""pandas/numpy peer: the seed004 segmentation in the seeds' own style (numpy.quantile,
numpy.select, groupby means) on the same CSV mece reads. Prints one JSON line: load and
segmentation seconds, and the sizes.

usage: pandas_seed004.py DATA.csv
"""
import json
import sys
import time

import numpy as np
import pandas as pd

path = sys.argv[1]
t = time.perf_counter()
df = pd.read_csv(path, dtype={"user_id": "int64", "avg_order_value": "float64", "sessions_last_30d": "int64",
                              "num_cart_items": "int64", "engagement_score": "float64",
                              "profitability_score": "float64"}, keep_default_na=False,
                 na_values={"last_order_date": [""]})
for column in ("cart_abandoned_date", "last_order_date"):
    df[column] = pd.to_datetime(df[column], format="%Y-%m-%d")
load_s = time.perf_counter() - t

t = time.perf_counter()
as_of = df["cart_abandoned_date"].max()
u = df[(df["cart_abandoned_date"] >= as_of - pd.Timedelta(days=6)) & (df["cart_abandoned_date"] <= as_of)]
aov, eng, prof = u["avg_order_value"], u["engagement_score"], u["profitability_score"]
aov40, aov75 = np.quantile(aov, 0.40), np.quantile(aov, 0.75)
eng40, eng70 = np.quantile(eng, 0.40), np.quantile(eng, 0.70)
prof70 = np.quantile(prof, 0.70)
recent = (as_of - u["last_order_date"]).dt.days <= 30
segment = np.select([
    aov >= aov75,
    (aov >= aov40) & (aov < aov75) & (eng >= eng70),
    (aov >= aov40) & (aov < aov75) & (eng >= eng40) & (eng < eng70) & (prof >= prof70),
    (aov < aov40) & (eng >= eng70),
    recent,
], [1, 2, 3, 4, 5], default=6)
summary = u.assign(segment=segment).groupby("segment").agg(
    size=("user_id", "size"), engagement=("engagement_score", "mean"),
    profitability=("profitability_score", "mean"), aov=("avg_order_value", "mean"))
segment_s = time.perf_counter() - t
sizes = [int(summary["size"].get(k, 0)) for k in range(1, 7)]
print(json.dumps({"peer": "pandas", "load_s": load_s, "segment_s": segment_s, "sizes": sizes}))
