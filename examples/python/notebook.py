#!/usr/bin/env python3
"""A notebook's worth of mece, cell by cell (`# %%`): segment a DataFrame of cart
abandoners, read the ranked table, and do the same job the way the seeds did in pandas.

usage: notebook.py [--rows N] [--check]
  --check  fail unless the pandas job and mece find the same segment sizes
"""
# %% The data: a DataFrame of abandoners, here the synthetic one (mece.read_csv or
# pandas.read_csv would do as well).
import argparse
import time

import numpy as np
import pandas as pd

import mece

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=1_000_000)
parser.add_argument("--check", action="store_true")
args = parser.parse_args()
pd.set_option("display.width", 120)
pd.set_option("display.max_colwidth", 56)

df = mece.generate(args.rows, seed=42)
print(f"{len(df):,} users, carts from {df.cart_abandoned_date.min():%Y-%m-%d} to {df.cart_abandoned_date.max():%Y-%m-%d}")

# %% Segment: seed 004's rules, the segments kept between 500 and 20,000 users, ranked.
t = time.perf_counter()
result = mece.segment(df, preset="seed004", min_size=500, max_size=20_000)
mece_s = time.perf_counter() - t
print(f"mece.segment: {result.strategy['universe_size']:,} users in the window, "
      f"{len(result.segments)} segments, MECE checks {'passed' if result.ok else 'FAILED'}")
print(result.segments[["rank", "name", "size", "overall_score", "tier"]].head(8).to_string(index=False))

# %% Each user's segment, in the input's order and with its index, ready to join back.
print(df.join(result.assignments[["segment_name"]], how="inner")[["user_id", "avg_order_value", "segment_name"]].head(3).to_string())

# %% The same job in the seeds' pandas style: the window, numpy quantiles, np.select.
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
sizes = pd.Series(segment).value_counts().sort_index()
pandas_s = time.perf_counter() - t

# %% mece without the size bounds is that job exactly: the same sizes, segment by segment.
t = time.perf_counter()
plain = mece.segment(df, preset="seed004", constraints=False)
plain_s = time.perf_counter() - t
mece_sizes = plain.segments.sort_values("id")["size"].to_list()
print(f"sizes, pandas: {sizes.to_list()}")
print(f"sizes, mece:   {mece_sizes}")
print(f"seconds on {len(df):,} users: pandas job {pandas_s:.3f}, mece without bounds {plain_s:.3f}, "
      f"mece with bounds, scores and ranking {mece_s:.3f}")
if args.check and sizes.to_list() != mece_sizes:
    raise SystemExit("the pandas job and mece disagree")
