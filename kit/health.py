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

    ``points`` has the columns merchant_id and point_date; without it the
    points are every merchant with an active contract on as_of_date().
    Extra columns of ``points`` are kept.
    """
    if points is None:
        points = con.sql(
            "SELECT DISTINCT merchant_id, as_of_date() AS point_date "
            "FROM merchant_contracts WHERE contract_status = 'active' "
            "ORDER BY merchant_id"
        ).df()
    missing = {"merchant_id", "point_date"} - set(points.columns)
    if missing:
        raise ValueError(
            f"points lacks the column(s) {', '.join(sorted(missing))}: pass a "
            "DataFrame with merchant_id and point_date"
        )
    keys = points[["merchant_id", "point_date"]].drop_duplicates()
    keys = keys.assign(point_date=pd.to_datetime(keys["point_date"]))
    cursor = con.cursor()
    try:
        cursor.register(_POINTS_VIEW, keys)
        raw = cursor.sql(inputs_sql().format(points=_POINTS_VIEW)).df()
    finally:
        cursor.close()
    for column in raw.columns.drop(["merchant_id", "point_date"]):
        raw[column] = raw[column].astype("float64")
    extra = points.assign(point_date=pd.to_datetime(points["point_date"]))
    return extra.merge(raw, on=["merchant_id", "point_date"], how="left")


def band_of(score: float) -> str | None:
    """Return the band of a score, None for a missing score."""
    if pd.isna(score):
        return None
    for band, lowest in BANDS:
        if score >= lowest:
            return band
    return BANDS[-1][0]
