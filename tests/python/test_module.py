"""The Python module against mece-segment on the same data, and its errors, zero copy,
threads and lock. CTest runs it with PYTHONPATH at the build's python/ directory and
MECE_SEGMENT naming the tool; the expected values come from the tool's files, read by
pandas and json alone."""

import datetime
import json
import os
import re
import subprocess
import threading
import time

import numpy as np
import pandas as pd
import pytest

import mece

SEGMENT = os.environ.get("MECE_SEGMENT", "mece-segment")
PRESETS = ["seed000", "seed002", "seed003", "seed004"]
ROWS = 60_000


def run_tool(tmp_path, *args):
    out = tmp_path / "tool"
    subprocess.run([SEGMENT, "--out", str(out), "--threads", "2", *args], check=True, capture_output=True)
    strategy = json.loads((out / "strategy.json").read_text())
    assignments = pd.read_csv(out / "assignments.csv", dtype={"segment_name": object})
    return out, strategy, assignments


def without_input(strategy):
    return {k: v for k, v in strategy.items() if k != "input"}


@pytest.fixture(scope="module")
def frame():
    """A dataset no mece code made: pandas draws it, and writes it as the CSV the tool reads."""
    rng = np.random.default_rng(7)
    n = ROWS
    as_of = np.datetime64("2026-11-22")
    abandoned = as_of - rng.integers(0, 30, n).astype("timedelta64[D]")
    ordered = (as_of - rng.integers(0, 400, n).astype("timedelta64[D]")).astype("datetime64[ns]")
    ordered[rng.random(n) < 0.2] = np.datetime64("NaT")
    return pd.DataFrame({
        "user_id": rng.permutation(np.arange(1, n + 1, dtype=np.int64) * 3),
        "cart_abandoned_date": abandoned.astype("datetime64[ns]"),
        "last_order_date": ordered,
        "avg_order_value": np.round(rng.lognormal(4.5, 0.8, n), 2),
        "sessions_last_30d": rng.integers(0, 40, n),
        "num_cart_items": rng.integers(1, 12, n),
        "engagement_score": rng.random(n),
        "profitability_score": rng.random(n),
        "visits": rng.integers(0, 9, n).astype(float),
    })


@pytest.fixture(scope="module")
def csv_path(frame, tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "carts.csv"
    out = frame.copy()
    for column in ("cart_abandoned_date", "last_order_date"):
        out[column] = out[column].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False, float_format="%.17g")
    return path


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("bounds", ["none", "small", "default"])
def test_the_module_equals_the_tool(frame, csv_path, tmp_path, preset, bounds):
    options = {"none": {"constraints": False}, "small": {"min_size": 300, "max_size": 1200}, "default": {}}[bounds]
    flags = {"none": ["--no-constraints"], "small": ["--min-size", "300", "--max-size", "1200"], "default": []}[bounds]
    _, strategy, assignments = run_tool(tmp_path, "--input", str(csv_path), "--preset", preset, *flags)
    result = mece.segment(frame, preset=preset, **options)
    assert without_input(result.strategy) == without_input(strategy)
    assert result.strategy["thresholds"] == strategy["thresholds"]
    sizes = {s["name"]: s["size"] for s in strategy["segments"]}
    assert dict(zip(result.segments["name"], result.segments["size"])) == sizes
    got = result.assignments.reset_index(drop=True)
    assert list(got.columns) == ["user_id", "segment_id", "segment_name"]
    pd.testing.assert_frame_equal(got.astype({"segment_name": object, "segment_id": "int64"}), assignments)
    if bounds == "small":
        assert any(e["action"] == "split" for e in strategy["log"])


def test_the_index_is_the_frames_and_the_order_is_its_order(frame):
    shuffled = frame.sample(frac=1.0, random_state=3)
    result = mece.segment(shuffled, preset="seed004")
    a = result.assignments
    assert list(a.index) == [i for i in shuffled.index if i in set(a.index)]
    assert (shuffled.loc[a.index, "user_id"].to_numpy() == a["user_id"].to_numpy()).all()


def test_a_synthetic_run_writes_the_tools_files(tmp_path):
    out, strategy, assignments = run_tool(tmp_path, "--synthetic", "50000", "--seed", "9", "--holdout", "0.2")
    result = mece.segment(mece.generate(50_000, seed=9), holdout=0.2)
    result.write(tmp_path / "module")
    for name in ["assignments.csv", "strategy.csv", "scores.svg", "tree.svg", "sizes.svg"]:
        assert (tmp_path / "module" / name).read_bytes() == (out / name).read_bytes(), name
    # strategy.md names its input; every other line is the same.
    module_md, tool_md = ((d / "strategy.md").read_text().splitlines() for d in (tmp_path / "module", out))
    differ = [(a, b) for a, b in zip(module_md, tool_md) if a != b]
    assert len(module_md) == len(tool_md) and len(differ) == 1 and "DataFrame (50000 rows)" in differ[0][0], differ
    assert list(result.assignments.columns) == ["user_id", "segment_id", "segment_name", "group"]
    assert (result.assignments["group"].astype(str).to_numpy() == assignments["group"].to_numpy()).all()
    html = result.report_html()
    assert html.startswith("<!DOCTYPE html>") and "DataFrame (50000 rows)" in html
    assert without_input(result.strategy) == without_input(strategy)


def test_read_csv_and_generate_give_the_data_pandas_reads(csv_path, frame):
    df = mece.read_csv(csv_path)
    assert list(df.columns)[:8] == list(frame.columns)[:8]
    for column in frame.columns:
        np.testing.assert_array_equal(df[column].to_numpy(), frame[column].to_numpy(), err_msg=column)
    assert df["last_order_date"].isna().sum() == frame["last_order_date"].isna().sum()
    generated = mece.generate(1000, seed=5)
    assert len(generated) == 1000 and generated["user_id"].is_unique


def test_lenient_reading_sets_bad_rows_aside(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("user_id,cart_abandoned_date,last_order_date,avg_order_value,sessions_last_30d,num_cart_items,"
                    "engagement_score,profitability_score\n1,2026-11-20,,10,1,1,0.5,0.5\n2,2026-11-20,,10,1,1,1.5,0.5\n")
    with pytest.raises(mece.InputError, match=r"bad.csv:3: column 'engagement_score': expected a number in \[0,1\], got \"1.5\""):
        mece.read_csv(path)
    df = mece.read_csv(path, lenient=True)
    assert len(df) == 1 and df.attrs["rejected"] == 1


def csv_message(frame, tmp_path):
    """What the CSV reader says of the frame written as CSV, its line turned into the row."""
    path = tmp_path / "t.csv"
    out = frame.copy()
    for column in ("cart_abandoned_date", "last_order_date"):
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    out.to_csv(path, index=False)
    with pytest.raises(mece.InputError) as error:
        mece.read_csv(path)
    message = str(error.value)
    prefix, line, rest = message.split(":", 2)
    assert prefix == str(path)
    rest = re.sub(r"first seen on line (\d+)", lambda m: f"first seen on row {int(m.group(1)) - 2}", rest)
    return f"DataFrame: row {int(line) - 2}:{rest}"


def small_frame():
    return pd.DataFrame({
        "user_id": [1, 2, 3, 4], "cart_abandoned_date": ["2026-11-20"] * 4, "last_order_date": ["2026-10-01", None, "", "2026-11-01"],
        "avg_order_value": [10.0, 20.0, 30.0, 40.0], "sessions_last_30d": [1, 2, 3, 4], "num_cart_items": [1, 1, 2, 2],
        "engagement_score": [0.1, 0.2, 0.3, 0.4], "profitability_score": [0.5, 0.5, 0.5, 0.5]})


@pytest.mark.parametrize("column,value", [("engagement_score", 1.5), ("profitability_score", -0.25), ("avg_order_value", -1.0),
                                          ("sessions_last_30d", -1), ("num_cart_items", 0), ("user_id", 1)])
def test_a_bad_value_gets_the_csv_readers_message_with_the_row(tmp_path, column, value):
    df = small_frame()
    df.loc[2, column] = value
    expected = csv_message(df, tmp_path).replace('"', "")
    if column in ("engagement_score", "profitability_score", "avg_order_value"):
        expected = expected.replace(f"got {value}", f"got {value:g}")
    with pytest.raises(mece.InputError) as error:
        mece.segment(df)
    assert str(error.value) == expected
    assert isinstance(error.value, ValueError) and isinstance(error.value, mece.Error)


def test_a_missing_column_a_wrong_dtype_and_a_bad_date(tmp_path):
    df = small_frame().drop(columns=["engagement_score"])
    expected = csv_message(df, tmp_path)  # "t.csv:1: missing ..." -> row -1; the frame has no line
    assert expected.endswith("missing required column 'engagement_score'")
    with pytest.raises(mece.InputError, match=r"^DataFrame: missing required column 'engagement_score'$"):
        mece.segment(df)
    df = small_frame().astype({"engagement_score": object})
    df.loc[1, "engagement_score"] = "high"
    with pytest.raises(mece.InputError, match=r"^DataFrame: column 'engagement_score': expected a number in \[0,1\], got dtype object$"):
        mece.segment(df)
    df = small_frame()
    df.loc[3, "cart_abandoned_date"] = "2026-13-01"
    with pytest.raises(mece.InputError, match=r"^DataFrame: row 3: column 'cart_abandoned_date': expected a valid date YYYY-MM-DD, got \"2026-13-01\"$"):
        mece.segment(df)
    df = small_frame()
    df["sessions_last_30d"] = [1.0, 2.5, 3.0, 4.0]
    with pytest.raises(mece.InputError, match=r"^DataFrame: row 1: column 'sessions_last_30d': expected an integer >= 0, got 2.5$"):
        mece.segment(df)
    df = small_frame()
    df["sessions_last_30d"] = np.array([1, 2, 2**40, 4], dtype=np.int64)
    with pytest.raises(mece.InputError, match=r"got 1099511627776: beyond the integers the column holds$"):
        mece.segment(df)
    with pytest.raises(mece.InputError, match=r"column 'user_id' appears twice"):
        mece.segment(pd.concat([small_frame(), small_frame()[["user_id"]]], axis=1))
    with pytest.raises(TypeError, match="expected a pandas.DataFrame"):
        mece.segment({"user_id": [1]})


def test_configuration_errors_name_the_key(tmp_path):
    df = small_frame()
    with pytest.raises(mece.ConfigError, match=r"^min_size/max_size: .*"):
        mece.segment(df, min_size=10, max_size=5)
    with pytest.raises(mece.ConfigError, match=r"^preset: unknown preset 'seed9'"):
        mece.segment(df, preset="seed9")
    with pytest.raises(mece.ConfigError, match=r"^as_of: expected a date YYYY-MM-DD, got '2026-02-30'$"):
        mece.segment(df, as_of="2026-02-30")
    with pytest.raises(mece.ConfigError, match=r"^holdout/holdout_salt: "):
        mece.segment(df, holdout=0.9)
    with pytest.raises(mece.ConfigError, match=r"^universe: window_days must be at least 1, got 0$"):
        mece.segment(df, window=0)
    missing = tmp_path / "none.json"
    with pytest.raises(mece.InputError, match="none.json"):
        mece.segment(df, lift=missing)
    with pytest.raises(mece.ConfigError, match=r"^config: segments\[0\]"):
        mece.segment(df, config={"segments": [{"name": "x", "conditions": [{"feature": "avg_order_value", "op": "=<", "value": 1}]}]})
    path = tmp_path / "c.json"
    path.write_text('{"segments": 3}')
    with pytest.raises(mece.ConfigError, match="^" + str(path) + ": segments"):
        mece.segment(df, config=path)
    with pytest.raises(mece.ConfigError, match="give one of them"):
        mece.segment(df, preset="seed004", config=path)
    assert issubclass(mece.ConfigError, ValueError)


def test_a_config_dict_runs_as_its_file_does(frame, csv_path, tmp_path):
    config = {"universe": {"window_days": 10}, "constraints": {"min_size": 100, "max_size": 5000},
              "segments": [{"name": "Big baskets", "conditions": [{"feature": "num_cart_items", "op": ">=", "value": 8}]},
                           {"name": "Frequent", "conditions": [{"feature": "visits", "op": ">", "value": 5}]},
                           ],
              "catch_all": "Everyone else"}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    _, strategy, assignments = run_tool(tmp_path, "--input", str(csv_path), "--config", str(path))
    for given in (config, path, str(path)):
        result = mece.segment(frame, config=given)
        assert without_input(result.strategy) == without_input(strategy)


def test_dates_as_text_objects_and_datetime64_agree(frame):
    base = mece.segment(frame, as_of="2026-11-21")
    text = frame.assign(cart_abandoned_date=frame["cart_abandoned_date"].dt.strftime("%Y-%m-%d"),
                        last_order_date=frame["last_order_date"].dt.strftime("%Y-%m-%d").where(frame["last_order_date"].notna(), None))
    objects = frame.assign(cart_abandoned_date=[d.date() for d in frame["cart_abandoned_date"]])
    for other in (mece.segment(text, as_of=datetime.date(2026, 11, 21)), mece.segment(objects, as_of=pd.Timestamp("2026-11-21"))):
        assert other.strategy == base.strategy
        pd.testing.assert_frame_equal(other.assignments, base.assignments)
    assert base.strategy["as_of"] == "2026-11-21"


def test_numeric_columns_are_not_copied(frame):
    result = mece.segment(frame)
    assert result.dtype == "float64"
    for column in ("user_id", "avg_order_value", "engagement_score", "profitability_score", "visits"):
        assert result.column_address(column) == frame[column].to_numpy().ctypes.data, column
    floats = frame.astype({c: np.float32 for c in ("avg_order_value", "engagement_score", "profitability_score", "visits")})
    floats = floats.astype({"sessions_last_30d": np.int32, "num_cart_items": np.int32})
    result32 = mece.segment(floats)
    assert result32.dtype == "float32"
    for column in ("user_id", "avg_order_value", "engagement_score", "profitability_score", "visits", "sessions_last_30d",
                   "num_cart_items"):
        assert result32.column_address(column) == floats[column].to_numpy().ctypes.data, column
    # The columns stay alive with the result, whatever happens to the frame.
    del floats
    assert result32.segments["size"].sum() == result32.strategy["universe_size"]


def test_the_thread_count_does_not_change_the_results(frame):
    one, two = mece.segment(frame, threads=1, min_size=300, max_size=4000), mece.segment(frame, threads=2, min_size=300, max_size=4000)
    assert one.threads == 1 and two.threads == 2
    assert one.strategy == two.strategy
    pd.testing.assert_frame_equal(one.assignments, two.assignments)


def test_the_lock_is_released_while_the_pipeline_runs():
    df = mece.generate(3_000_000, seed=1)
    done = threading.Event()
    result = {}

    def work():
        result["r"] = mece.segment(df, threads=1)
        done.set()

    worker = threading.Thread(target=work)
    ticks = 0
    start = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    elapsed = time.perf_counter() - start
    assert result["r"].ok
    # Held, the lock would leave this thread a tick per switch interval at most.
    assert ticks > 0.3 * elapsed / 0.0012, (ticks, elapsed)


def test_help_reads_well():
    doc = mece.segment.__doc__
    for word in ("Args:", "preset", "min_size", "Returns:", "Raises:", "InputError"):
        assert word in doc
    assert os.path.exists(os.path.join(os.path.dirname(mece.__file__), "__init__.pyi"))
    assert os.path.exists(os.path.join(os.path.dirname(mece.__file__), "py.typed"))
