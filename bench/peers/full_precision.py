#!/usr/bin/env python3
"""Rewrites a carts CSV with its measures at full precision, as pandas, Spark or a
database export writes doubles: each of avg_order_value, engagement_score and
profitability_score scaled by a deterministic factor in (1 - 1e-9, 1] (ranges kept) and
written with 17 significant digits. Uses no mece code.

usage: full_precision.py IN.csv OUT.csv
"""
import sys

import numpy as np
import pandas as pd

source, target = sys.argv[1], sys.argv[2]
df = pd.read_csv(source, dtype=str, keep_default_na=False)
rng = np.random.default_rng(1)
for column in ("avg_order_value", "engagement_score", "profitability_score"):
    values = df[column].astype("float64").to_numpy()
    df[column] = values * (1.0 - rng.random(len(values)) * 1e-9)
df.to_csv(target, index=False, float_format="%.17g")
