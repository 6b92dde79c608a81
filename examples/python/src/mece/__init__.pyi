"""Type stub of the mece package (see help(mece))."""
import datetime
import os
from typing import Any, Mapping, Optional, Union

import pandas as pd

__version__: str

_Path = Union[str, os.PathLike[str]]
_Date = Union[str, datetime.date, None]

class Error(Exception):
    """A mece error: the message names the place (file, line, column, value)."""

class InputError(Error, ValueError):
    """Bad input data: a missing column, a wrong dtype, a value out of range, a duplicate user id."""

class ConfigError(Error, ValueError):
    """A bad configuration or option: the message names the key."""

class Result:
    """A finished run: the strategy, its tables and its files."""

    @property
    def assignments(self) -> pd.DataFrame:
        """user_id, segment_id, segment_name[, group]: the users in the window, in the input's order."""
    @property
    def strategy(self) -> dict[str, Any]:
        """The dict of strategy.json."""
    @property
    def segments(self) -> pd.DataFrame:
        """The ranked table: the columns of strategy.csv."""
    @property
    def ok(self) -> bool: ...
    @property
    def warnings(self) -> list[str]: ...
    @property
    def threads(self) -> int: ...
    @property
    def dtype(self) -> str: ...
    def report_html(self) -> str: ...
    def write(self, directory: _Path, report: bool = True) -> None: ...
    def column_address(self, name: str) -> int: ...

def segment(
    df: pd.DataFrame,
    preset: Optional[str] = None,
    config: Union[Mapping[str, Any], _Path, None] = None,
    as_of: _Date = None,
    window: Optional[int] = None,
    min_size: Optional[int] = None,
    max_size: Optional[int] = None,
    constraints: bool = True,
    holdout: Optional[float] = None,
    holdout_salt: Optional[str] = None,
    lift: Optional[_Path] = None,
    threads: int = 0,
) -> Result:
    """Segments the cart abandoners of df and ranks the segments."""

def read_csv(path: _Path, lenient: bool = False, threads: int = 0) -> pd.DataFrame:
    """Reads a CSV of cart abandoners as mece-segment does."""

def generate(rows: int, seed: int = 42, as_of: _Date = None, threads: int = 0) -> pd.DataFrame:
    """The synthetic dataset of mece-segment --synthetic."""
