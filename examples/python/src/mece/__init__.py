"""MECE audience segmentation of cart abandoners, for pandas.

The library's whole pipeline over a DataFrame: the users who abandoned a cart in the
window, split into segments where each user is in exactly one, kept within the size
bounds (the small merged, the large split), scored and ranked, with the strategy as
dict, tables and report::

    import mece
    df = mece.generate(1_000_000, seed=42)          # or mece.read_csv(...), or your own
    result = mece.segment(df, preset="seed004", min_size=500, max_size=20_000)
    result.segments[["rank", "name", "size", "overall_score", "tier"]]
    result.assignments                              # user_id, segment_id, segment_name
    result.write("mece-out")                        # the files mece-segment writes

The numeric columns are read where they lie (float64, or float32 for all three
measures, int64 ids, int32 counts), never copied; the pipeline runs without the
interpreter's lock, on every core unless ``threads`` says otherwise.
"""

from __future__ import annotations

import datetime as _datetime
import io as _io
import json as _json
import os as _os
from typing import Any, Mapping, Optional, Union

import numpy as _np
import pandas as _pd

from . import _mece
from ._mece import ConfigError, Error, InputError

__all__ = ["segment", "read_csv", "generate", "Result", "Error", "InputError", "ConfigError", "__version__"]
__version__: str = _mece.__version__

_GROUPS = ["treatment", "control", "global_control"]
_DATES = ("cart_abandoned_date", "last_order_date")


def _date_text(value: Union[str, _datetime.date, None], what: str) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, _datetime.date):  # datetime.datetime and pandas.Timestamp too: their day
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    raise TypeError(f"{what}: expected a date (text YYYY-MM-DD, datetime.date or pandas.Timestamp), got {type(value).__name__}")


def _column(series: _pd.Series) -> _np.ndarray:
    """A column as a 1-D numpy array: numpy dtypes as they are (no copy), pandas'
    nullable and categorical dtypes as the numpy arrays they stand for."""
    dtype = series.dtype
    if isinstance(dtype, _pd.DatetimeTZDtype):  # the wall-clock day where the user is
        return series.dt.tz_localize(None).to_numpy()
    if isinstance(dtype, _pd.CategoricalDtype):
        return _np.asarray(series.astype(dtype.categories.dtype if not series.isna().any() else object))
    if _pd.api.types.is_extension_array_dtype(dtype):
        if _pd.api.types.is_numeric_dtype(dtype) and not _pd.api.types.is_bool_dtype(dtype):
            return series.to_numpy(dtype="float64", na_value=_np.nan)
        return series.to_numpy(dtype=object, na_value=None)
    return series.to_numpy(copy=False)


def _columns(df: _pd.DataFrame) -> dict:
    if not isinstance(df, _pd.DataFrame):
        raise TypeError(f"expected a pandas.DataFrame, got {type(df).__name__}")
    names = [str(name) for name in df.columns]
    seen: set = set()
    for name in names:
        if name in seen:
            raise InputError(f"DataFrame: column '{name}' appears twice")
        seen.add(name)
    return {str(name): _column(df[name]) for name in df.columns}


class Result:
    """A finished run: the strategy, its tables and its files.

    Attributes:
        assignments: DataFrame ``user_id, segment_id, segment_name[, group]``, one row per
            user in the window, in the input's order, indexed by the input's index.
        strategy: the dict of ``strategy.json`` (docs/strategy-json.md).
        segments: DataFrame of the ranked table, the columns of ``strategy.csv``.
        ok: the MECE checks passed (every user in exactly one segment).
        warnings: what the run warns about (for example a universe smaller than min_size).
    """

    def __init__(self, core: "_mece.Result", index: _pd.Index):
        self._core = core
        self._index = index
        self._assignments: Optional[_pd.DataFrame] = None
        self._strategy: Optional[dict] = None
        self._segments: Optional[_pd.DataFrame] = None

    @property
    def assignments(self) -> _pd.DataFrame:
        if self._assignments is None:
            rows, ids, segment_ids, names, groups = self._core.assignment()
            if len(set(names)) == len(names):
                segment_names = _pd.Categorical.from_codes(segment_ids - 1, categories=names)
            else:
                segment_names = _np.asarray(names, dtype=object)[segment_ids - 1]
            columns = {"user_id": ids, "segment_id": segment_ids, "segment_name": segment_names}
            if groups is not None:
                columns["group"] = _pd.Categorical.from_codes(groups, categories=_GROUPS)
            self._assignments = _pd.DataFrame(columns, index=self._index[rows])
        return self._assignments

    @property
    def strategy(self) -> dict:
        if self._strategy is None:
            self._strategy = _json.loads(self._core.strategy_json())
        return self._strategy

    @property
    def segments(self) -> _pd.DataFrame:
        if self._segments is None:
            self._segments = _pd.read_csv(_io.StringIO(self._core.strategy_csv()), keep_default_na=False)
        return self._segments

    @property
    def ok(self) -> bool:
        return self._core.ok

    @property
    def warnings(self) -> list:
        return list(self._core.warnings)

    @property
    def threads(self) -> int:
        """Threads the run used."""
        return self._core.threads

    @property
    def dtype(self) -> str:
        """The float type the run computed in: float32 when all three measures were float32."""
        return self._core.dtype

    def report_html(self) -> str:
        """report.html as a string: in a notebook, ``IPython.display.HTML(result.report_html())``."""
        return self._core.report_html()

    def write(self, directory: Union[str, "_os.PathLike[str]"], report: bool = True) -> None:
        """Writes strategy.csv, strategy.json, strategy.md, assignments.csv and (with
        ``report``) the charts and report.html into ``directory``, all together or none."""
        self._core.write(_os.fspath(directory), report)

    def column_address(self, name: str) -> int:
        """The address of the buffer the run read column ``name`` from (to check that a
        column was not copied: compare with ``df[name].to_numpy().ctypes.data``)."""
        return self._core.column_address(name)

    def __str__(self) -> str:
        return self._core.text()

    def __repr__(self) -> str:
        s = self.strategy
        return f"<mece.Result: {s['universe']['size']} users in {len(s['segments'])} segments, ok={self.ok}>"

    def _repr_html_(self) -> str:
        return self.segments.to_html(index=False)


def segment(
    df: _pd.DataFrame,
    preset: Optional[str] = None,
    config: Union[Mapping[str, Any], str, "_os.PathLike[str]", None] = None,
    as_of: Union[str, _datetime.date, None] = None,
    window: Optional[int] = None,
    min_size: Optional[int] = None,
    max_size: Optional[int] = None,
    constraints: bool = True,
    holdout: Optional[float] = None,
    holdout_salt: Optional[str] = None,
    lift: Union[str, "_os.PathLike[str]", None] = None,
    threads: int = 0,
) -> Result:
    """Segments the cart abandoners of ``df`` and ranks the segments.

    Args:
        df: one row per user, with the columns user_id (integers), cart_abandoned_date and
            last_order_date (datetime64 or ISO text; NaT/None/"" where a user never
            ordered), avg_order_value, engagement_score, profitability_score (numbers),
            sessions_last_30d, num_cart_items (integers). Other numeric columns are
            features a config's rules may use; other columns are left alone.
        preset: the rules of a seed: "seed000", "seed002", "seed003" or "seed004"
            (the default, unless ``config`` is given).
        config: a configuration (README "Config format") as a dict, or the path of its
            JSON file.
        as_of: the last day of the window (default: the latest abandonment date).
        window: the window's length in days (default 7, or the config's).
        min_size, max_size: the size bounds (default 500 and 20000, or the config's).
        constraints: False keeps the rules' segments as they are (no merge or split).
        holdout: share of each segment held out as control, 0 to 0.5; the assignments get
            a ``group`` column.
        holdout_salt: the holdout hash's salt (default "mece").
        lift: a lift.json of mece-measure: rank with each segment's measured lift.
        threads: threads for every stage; 0 means every core. Results do not depend on it.

    Returns:
        A Result.

    Raises:
        InputError: a missing column, a wrong dtype, a value out of range or a duplicate
            user id, in the words the CSV reader uses (with the row's position).
        ConfigError: a bad option or configuration, naming the key.
    """
    if preset is not None and config is not None:
        raise ConfigError("preset and config: give one of them, not both")
    config_text = config_path = None
    if isinstance(config, Mapping):
        config_text = _json.dumps(config, allow_nan=False)
    elif config is not None:
        config_path = _os.fspath(config)
    core = _mece.segment(
        _columns(df), len(df), preset=preset, config_text=config_text, config_path=config_path,
        as_of=_date_text(as_of, "as_of"), window=window, min_size=min_size, max_size=max_size,
        constraints=constraints, holdout=holdout, holdout_salt=holdout_salt,
        lift=None if lift is None else _os.fspath(lift), threads=threads)
    return Result(core, df.index)


def _frame(columns: dict) -> _pd.DataFrame:
    return _pd.DataFrame(columns, copy=False)


def read_csv(path: Union[str, "_os.PathLike[str]"], lenient: bool = False, threads: int = 0) -> _pd.DataFrame:
    """Reads a CSV of cart abandoners as mece-segment does (every value checked; the
    first bad row is an InputError naming its line, or with ``lenient`` it is set aside).

    Returns a DataFrame with the schema's columns (dates as datetime64, NaT where a user
    never ordered) and any other numeric column. With ``lenient``, ``df.attrs`` holds
    ``rejected`` (the rows set aside) and ``rejections`` (the first messages)."""
    columns, rejected, rejections = _mece.read_csv(_os.fspath(path), lenient, threads)
    df = _frame(columns)
    df.attrs["rejected"] = rejected
    df.attrs["rejections"] = list(rejections)
    return df


def generate(rows: int, seed: int = 42, as_of: Union[str, _datetime.date, None] = None, threads: int = 0) -> _pd.DataFrame:
    """The synthetic dataset of mece-segment --synthetic: ``rows`` users, the same for a
    seed on any machine and thread count, carts up to ``as_of`` (default 2026-11-15)."""
    return _frame(_mece.generate(rows, seed, _date_text(as_of, "as_of"), threads))
