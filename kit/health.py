"""The health score of the business case: its inputs, scales, weights and bands.

The kit states the score and computes its raw inputs; the candidate writes
the scoring. Each input maps to a 0-100 component on a fixed linear scale
between a floor (0 points) and a target (100 points), clipped at both ends.
The score is the weighted mean of the components a merchant has: a missing
input (no NPS response, no invoice due, no ARR a year ago) drops its weight
rather than counting as 0. Bands follow the usual three colours: red under
50, yellow from 50 to under 75, green from 75.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

_INPUTS_SQL = Path(__file__).with_name("health_inputs.sql")
_POINTS_VIEW = "kit_health_points"
_KEY_COLUMNS = ("merchant_id", "point_date")
# The longest activity window that an input counts in full: sessions and
# tickets over 90 days. NPS averages whatever of its 180 days the dataset has.
_ACTIVITY_WINDOW_DAYS = 90


@dataclass(frozen=True)
class Component:
    """One input of the score and the scale that turns it into 0-100 points."""

    name: str
    signal: str
    meaning: str
    floor: float
    target: float
    weight: float


COMPONENTS = (
    Component(
        "session_trend",
        "usage",
        "sessions in the last 30 days over the average 30 days of the 60 before",
        0.5,
        1.0,
        25,
    ),
    Component(
        "adoption_breadth",
        "usage",
        "distinct features used in the last 30 days",
        2,
        7,
        20,
    ),
    Component(
        "tickets",
        "support",
        "support tickets opened in the last 90 days",
        8,
        0,
        10,
    ),
    Component(
        "nps",
        "sentiment",
        "average NPS score (0-10) of responses in the last 180 days",
        5,
        9,
        15,
    ),
    Component(
        "days_late",
        "revenue",
        "average days past due of invoices due in the last 365 days",
        15,
        0,
        15,
    ),
    Component(
        "arr_change",
        "revenue",
        "ARR in force today over ARR in force 365 days earlier",
        0.9,
        1.1,
        15,
    ),
)
WEIGHTS = {component.name: component.weight for component in COMPONENTS}
# (band, lowest score in it), from the top.
BANDS = (("green", 75.0), ("yellow", 50.0), ("red", 0.0))


def components_table() -> pd.DataFrame:
    """Return the components as a table, for the notebook to show."""
    return pd.DataFrame([vars(component) for component in COMPONENTS])


def inputs_sql() -> str:
    return _INPUTS_SQL.read_text(encoding="utf-8")


def inputs(
    con: duckdb.DuckDBPyConnection, points: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return the raw inputs per point, as known on each point's day.

    ``points`` is a DataFrame or DuckDB relation with the columns merchant_id
    and point_date, in any letter case. Without it the points are every
    merchant with an active contract on as_of_date(). A point_date with a
    time of day counts as that day. Extra columns of ``points`` are kept,
    except those named like an input, which the fresh values replace.

    Raises ValueError for a point that cannot be read: a missing or unknown
    merchant_id, a point_date that is missing, not a date, after
    as_of_date(), or too early for the dataset's activity history.
    """
    if points is None:
        points = con.sql(
            "SELECT DISTINCT merchant_id, as_of_date() AS point_date "
            "FROM merchant_contracts WHERE contract_status = 'active' "
            "ORDER BY merchant_id"
        ).df()
    points = _checked_points(con, points)
    keys = points[list(_KEY_COLUMNS)].drop_duplicates()
    cursor = con.cursor()
    try:
        cursor.register(_POINTS_VIEW, keys)
        raw = cursor.sql(inputs_sql().format(points=_POINTS_VIEW)).df()
    finally:
        cursor.close()
    for column in raw.columns.drop(list(_KEY_COLUMNS)):
        raw[column] = raw[column].astype("float64")
    extra = points.drop(columns=[name for name in WEIGHTS if name in points])
    return extra.merge(raw, on=list(_KEY_COLUMNS), how="left")


def _checked_points(con: duckdb.DuckDBPyConnection, points) -> pd.DataFrame:
    """Validate ``points`` and return a copy with lower-case keys and days."""
    if isinstance(points, duckdb.DuckDBPyRelation):
        points = points.df()
    if not isinstance(points, pd.DataFrame):
        raise TypeError(
            f"points is a {type(points).__name__}: pass a DataFrame with the "
            "columns merchant_id and point_date"
        )
    renamed = {
        name: str(name).lower()
        for name in points.columns
        if str(name).lower() in _KEY_COLUMNS
    }
    points = points.rename(columns=renamed)
    missing = [name for name in _KEY_COLUMNS if name not in points.columns]
    if missing:
        in_index = [name for name in missing if name in points.index.names]
        fix = (
            "call points.reset_index() first"
            if in_index
            else "pass a DataFrame with merchant_id and point_date"
        )
        raise ValueError(f"points lacks the column(s) {', '.join(missing)}: {fix}")
    points = points.assign(point_date=_point_days(points["point_date"]))
    for name in _KEY_COLUMNS:
        _reject_missing(points, name)
    _reject_unknown_merchants(con, points["merchant_id"])
    _reject_days_outside_history(con, points["point_date"])
    return points


def _point_days(dates: pd.Series) -> pd.Series:
    """Return ``dates`` as datetime64 days, without time of day or time zone."""
    if len(dates) and pd.api.types.is_numeric_dtype(dates):
        raise ValueError(
            f"point_date contains numbers such as {dates.iloc[0]}: pass dates, "
            "for example '2026-01-01' or a datetime64 column"
        )
    try:
        days = pd.to_datetime(dates, format="ISO8601")
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"point_date {_first_non_date(dates)!r} is not a date: write dates "
            "as YYYY-MM-DD"
        ) from error
    if days.dt.tz is not None:
        days = days.dt.tz_localize(None)
    return days.dt.normalize()


def _first_non_date(dates: pd.Series):
    for value in dates:
        try:
            pd.to_datetime(value, format="ISO8601")
        except (TypeError, ValueError):
            return value
    return dates.iloc[0]


def _reject_missing(points: pd.DataFrame, name: str) -> None:
    empty = points[name].isna()
    if empty.any():
        raise ValueError(
            f"{name} is missing in {int(empty.sum())} of {len(points)} points, "
            f"first at index {points.index[empty][0]!r}: give every point a "
            f"{name}"
        )


def _reject_unknown_merchants(con: duckdb.DuckDBPyConnection, ids: pd.Series) -> None:
    known = con.sql("SELECT merchant_id FROM merchants").df()["merchant_id"]
    numbers = pd.to_numeric(ids, errors="coerce")
    unknown = list(pd.unique(ids[~numbers.isin(known)]))
    if unknown:
        listed = ", ".join(str(id_) for id_ in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise ValueError(
            f"merchant_id {listed}{more} not found in the merchants table: pass "
            "ids of this dataset's merchants"
        )


def _reject_days_outside_history(
    con: duckdb.DuckDBPyConnection, days: pd.Series
) -> None:
    if not len(days):
        return
    as_of, first_activity = con.sql(
        "SELECT as_of_date(), as_of_date() - history_days FROM dataset_info"
    ).fetchall()[0]
    as_of, first_activity = pd.Timestamp(as_of), pd.Timestamp(first_activity)
    latest, earliest = days.max(), days.min()
    if latest > as_of:
        raise ValueError(
            f"point_date {latest.date()} is after as_of_date() {as_of.date()}, "
            f"and the dataset has no activity after it: use days up to "
            f"{as_of.date()}"
        )
    first_full = first_activity + pd.Timedelta(days=_ACTIVITY_WINDOW_DAYS)
    if earliest < first_full:
        raise ValueError(
            f"point_date {earliest.date()} is too early: its "
            f"{_ACTIVITY_WINDOW_DAYS}-day session and ticket windows start before "
            f"{first_activity.date()}, the first day of activity in this dataset. "
            f"Use days from {first_full.date()} on, or generate the dataset with "
            "a longer --history-days"
        )


def band_of(score: float) -> str | None:
    """Return the band of a score, None for a missing score."""
    if pd.isna(score):
        return None
    for band, lowest in BANDS:
        if score >= lowest:
            return band
    return BANDS[-1][0]
