"""Normalize DataFrame columns so that values compare by value, whatever their type.

A column's kind comes from the reference column: number, datetime,
timedelta, bool, text or other. The candidate's column is converted to that
kind, so 3, 3.0 and Decimal("3.00") are one number, and a date, a
datetime64, a Timestamp and an ISO string such as "2026-06-30" are one date.
Values that cannot be converted stay unequal to everything.
"""

import datetime as dt
import decimal
import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

NUMBER = "number"
DATETIME = "datetime"
TIMEDELTA = "timedelta"
BOOL = "bool"
TEXT = "text"
OTHER = "other"

# Numbers without a declared tolerance still differ by rounding when one side
# is a float and the other a decimal, so they match within this relative error.
RELATIVE_TOLERANCE = 1e-9


@dataclass
class Column:
    """One column converted to a kind: values, missing mask and invalid mask.

    ``values`` is a numpy array: float64 for numbers, datetime64[ns] for
    datetimes, timedelta64[ns] for durations, object otherwise. ``missing``
    marks NULL-like cells. ``invalid`` marks cells that could not be
    converted, and NaN or infinity where it means a division by zero. An
    invalid cell equals nothing.
    """

    kind: str
    values: np.ndarray
    missing: np.ndarray
    invalid: np.ndarray
    exact_integers: np.ndarray | None = None


def is_missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, decimal.Decimal):
        return value.is_nan()
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    return False


def kind_of(series: pd.Series) -> str:
    """Return the kind of a reference column from its dtype or first value."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return BOOL
    if pd.api.types.is_numeric_dtype(dtype):
        return NUMBER
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return DATETIME
    if pd.api.types.is_timedelta64_dtype(dtype):
        return TIMEDELTA
    for value in series:
        if not is_missing(value):
            return _kind_of_value(value)
    return TEXT


def _kind_of_value(value) -> str:
    if isinstance(value, bool | np.bool_):
        return BOOL
    if isinstance(value, numbers.Number | decimal.Decimal):
        return NUMBER
    if isinstance(value, dt.date | np.datetime64):
        return DATETIME
    if isinstance(value, dt.timedelta | np.timedelta64):
        return TIMEDELTA
    if isinstance(value, str):
        return TEXT
    return OTHER


def convert(series: pd.Series, kind: str) -> Column:
    """Convert a column to ``kind`` for comparison."""
    converters = {
        NUMBER: _convert_numbers,
        DATETIME: _convert_datetimes,
        TIMEDELTA: _convert_timedeltas,
    }
    converter = converters.get(kind, _convert_objects)
    return converter(series, kind)


def _convert_numbers(series: pd.Series, kind: str) -> Column:
    dtype = series.dtype
    is_bool = pd.api.types.is_bool_dtype(dtype)
    if pd.api.types.is_numeric_dtype(dtype) and not is_bool:
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(values)
        invalid = np.zeros(len(values), dtype=bool)
        exact = None
        if pd.api.types.is_integer_dtype(dtype):
            exact = series.to_numpy(dtype=object, na_value=None)
        return Column(kind, values, missing, invalid, exact)
    values = np.full(len(series), np.nan)
    missing = np.zeros(len(series), dtype=bool)
    invalid = np.zeros(len(series), dtype=bool)
    for position, value in enumerate(series.array):
        if is_missing(value):
            missing[position] = True
        elif isinstance(value, numbers.Number | decimal.Decimal) and not isinstance(
            value, bool | np.bool_
        ):
            try:
                values[position] = float(value)
            except (TypeError, ValueError, OverflowError):
                invalid[position] = True
        else:
            invalid[position] = True
    return Column(kind, values, missing, invalid)


def _convert_datetimes(series: pd.Series, kind: str) -> Column:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        converted = series
        if getattr(series.dt, "tz", None) is not None:
            converted = series.dt.tz_convert("UTC").dt.tz_localize(None)
        values = converted.to_numpy(dtype="datetime64[ns]")
        missing = np.isnat(values)
        return Column(kind, values, missing, np.zeros(len(values), dtype=bool))
    values = np.full(len(series), np.datetime64("NaT"), dtype="datetime64[ns]")
    missing = np.zeros(len(series), dtype=bool)
    invalid = np.zeros(len(series), dtype=bool)
    for position, value in enumerate(series.array):
        if is_missing(value):
            missing[position] = True
            continue
        timestamp = _to_timestamp(value)
        if timestamp is None:
            invalid[position] = True
        else:
            values[position] = timestamp.to_datetime64()
    return Column(kind, values, missing, invalid)


def _to_timestamp(value) -> pd.Timestamp | None:
    if isinstance(value, bool | np.bool_ | numbers.Number):
        return None
    if not isinstance(value, str | dt.date | np.datetime64 | pd.Timestamp):
        return None
    try:
        timestamp = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if timestamp.tzinfo is not None:
        timestamp = timestamp.tz_convert("UTC").tz_localize(None)
    return timestamp


def _convert_timedeltas(series: pd.Series, kind: str) -> Column:
    values = np.full(len(series), np.timedelta64("NaT"), dtype="timedelta64[ns]")
    missing = np.zeros(len(series), dtype=bool)
    invalid = np.zeros(len(series), dtype=bool)
    for position, value in enumerate(series.array):
        if is_missing(value):
            missing[position] = True
        elif isinstance(value, dt.timedelta | np.timedelta64):
            values[position] = pd.Timedelta(value).to_timedelta64()
        else:
            invalid[position] = True
    return Column(kind, values, missing, invalid)


def _convert_objects(series: pd.Series, kind: str) -> Column:
    values = np.empty(len(series), dtype=object)
    missing = np.zeros(len(series), dtype=bool)
    invalid = np.zeros(len(series), dtype=bool)
    for position, value in enumerate(series.array):
        if is_missing(value):
            missing[position] = True
        elif kind == BOOL and not isinstance(value, bool | np.bool_):
            invalid[position] = True
        elif kind == BOOL:
            values[position] = bool(value)
        elif kind == TEXT and not isinstance(value, str):
            invalid[position] = True
        else:
            values[position] = freeze(value)
    return Column(kind, values, missing, invalid)


def freeze(value):
    """Return a hashable, comparable form of a cell value."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(freeze(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(key), freeze(item)) for key, item in value.items()))
    return value


def equal_cells(
    expected: Column, got: Column, tolerance: float | None = None
) -> np.ndarray:
    """Return, per row, whether the got cell equals the expected cell."""
    both_missing = expected.missing & got.missing & ~got.invalid
    comparable = ~expected.missing & ~got.missing & ~got.invalid & ~expected.invalid
    if expected.kind == NUMBER:
        same = _close_numbers(expected, got, tolerance)
    elif expected.kind in (DATETIME, TIMEDELTA):
        with np.errstate(invalid="ignore"):
            same = expected.values == got.values
    else:
        same = np.array(
            [a == b for a, b in zip(expected.values, got.values, strict=True)],
            dtype=bool,
        )
    return both_missing | (comparable & same)


def _close_numbers(
    expected: Column, got: Column, tolerance: float | None
) -> np.ndarray:
    if (
        tolerance is None
        and expected.exact_integers is not None
        and got.exact_integers is not None
    ):
        pairs = zip(expected.exact_integers, got.exact_integers, strict=True)
        return np.array([a == b for a, b in pairs], dtype=bool)
    a = expected.values
    b = got.values
    with np.errstate(invalid="ignore", over="ignore"):
        difference = np.abs(a - b)
        scale = np.maximum(np.abs(a), np.abs(b))
        allowed = RELATIVE_TOLERANCE * scale
        if tolerance is not None:
            allowed = allowed + tolerance
        return (a == b) | (difference <= allowed)


def key_value(column: Column, position: int):
    """Return the hashable value of one key cell, None for a missing one."""
    if column.missing[position]:
        return None
    if column.invalid[position]:
        return ("invalid", position)
    value = column.values[position]
    if column.kind == NUMBER:
        number = float(value)
        if number.is_integer():
            return int(number)
        return number
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.timedelta64):
        return pd.Timedelta(value)
    return value


def show(value) -> str:
    """Format a cell value for a one-line message."""
    if is_missing(value):
        return "NULL"
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isinf(value):
            return "infinity" if value > 0 else "-infinity"
        return format(value, ".10g") if not value.is_integer() else str(int(value))
    if isinstance(value, pd.Timestamp | dt.datetime):
        timestamp = pd.Timestamp(value)
        if timestamp == timestamp.normalize():
            return timestamp.date().isoformat()
        return timestamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value)
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def canonical_id(value):
    """Return an id in the form ids compare by: 17, 17.0 and numpy 17 are one id."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, float | decimal.Decimal) and value == int(value):
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def mapping_key(key):
    """Return a mapping key in the form keys compare by: case and outer blanks aside."""
    key = canonical_id(key)
    return key.lower() if isinstance(key, str) else key


def is_missing_answer(value) -> bool:
    """Return whether a value is a placeholder: None, Ellipsis or a blank string."""
    if value is Ellipsis or is_missing(value):
        return True
    return isinstance(value, str) and not value.strip()
