"""The usage score of the CSM's tool: its components, scales, weights and alerts.

Customer-success platforms compute a usage score from tracked events, each
account against its own baseline. This one is read weekly. On each reading
day it compares the 28 days before the day (the window) with the 84 days
before the window (the baseline, per 28 days) on three components:

- ``core_events_per_user``: events of the core features per active user.
  The tool counts the event names in CORE_EVENTS, the names the product
  logged when the score was set up, and no others.
- ``active_users``: contacts with a session in the window, against the
  average of the baseline's three 28-day blocks.
- ``sessions``: distinct sessions.

Each ratio (window over baseline) maps to 0-100 points on a fixed linear
scale between a floor (0 points) and a target (100 points), clipped at both
ends, and the score is the weighted mean of the points. A merchant whose
baseline holds fewer than MIN_BASELINE_SESSIONS sessions per 28 days is not
scored, because a few sessions more or less would swing its score, and one
with fewer than MIN_BASELINE_EVENTS core events is scored without the
events component, for the same reason. The tool
raises an alert when a score is DROP_POINTS or more below the reading
DROP_DAYS earlier.

``sql()`` returns the counting query and ``score_counts`` shows the
arithmetic in plain pandas. ``scores``, ``changes`` and ``sharp_drops`` can
also rescore with some events left out, or with a broken tracking event
repaired (kit/usage_score_repair.sql).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

_COUNTS_SQL = Path(__file__).with_name("usage_score.sql")
_REPAIR_SQL = Path(__file__).with_name("usage_score_repair.sql")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NO_REPAIR = (
    "repair_weeks AS (\n"
    "    SELECT NULL::INTEGER AS merchant_id, NULL::BIGINT AS week,\n"
    "        NULL::DOUBLE AS events\n"
    "    WHERE FALSE\n"
    ")"
)

# The core features as the tool tracks them: the names every tier logged
# when the score was configured.
CORE_EVENTS = ("payment_links", "invoicing", "refunds", "payouts", "reports")
PLATFORMS = ("web", "ios", "android")
WINDOW_DAYS = 28
BASELINE_DAYS = 84
READING_EVERY_DAYS = 7
MIN_BASELINE_SESSIONS = 40
# With fewer core events than this per 28 days in the baseline, events per
# user are too few to compare, and the score leaves that component out.
MIN_BASELINE_EVENTS = 40
# An alert: the latest score is at least DROP_POINTS below the score of the
# reading DROP_DAYS before it.
DROP_POINTS = 20
DROP_DAYS = 28
DROP_READINGS = DROP_DAYS // READING_EVERY_DAYS
REPAIR_FIELDS = ("feature_name", "platform", "app_version")


@dataclass(frozen=True)
class Component:
    """One ratio of the score and the scale that turns it into 0-100 points."""

    name: str
    meaning: str
    floor: float
    target: float
    weight: float


COMPONENTS = (
    Component(
        "core_events_per_user",
        "core feature events per active user, window over baseline",
        0.25,
        0.65,
        40,
    ),
    Component(
        "active_users",
        "contacts with a session, window over the baseline's 28-day average",
        0.25,
        0.65,
        30,
    ),
    Component(
        "sessions",
        "distinct sessions, window over the baseline's 28-day average",
        0.25,
        0.65,
        30,
    ),
)
WEIGHTS = {component.name: component.weight for component in COMPONENTS}
COMPONENT_NAMES = tuple(WEIGHTS)


def components_table() -> pd.DataFrame:
    """Return the components as a table, for the notebook to show."""
    return pd.DataFrame([vars(component) for component in COMPONENTS])


def sql() -> str:
    """Return the query that counts the score's inputs, to read or print."""
    return _COUNTS_SQL.read_text(encoding="utf-8")


def repair_sql() -> str:
    """Return the query part that imputes the events of a broken tracking event."""
    return _REPAIR_SQL.read_text(encoding="utf-8")


def counts(
    con: duckdb.DuckDBPyConnection,
    *,
    readings: int,
    event_names: Iterable[str] = CORE_EVENTS,
    leave_out: Iterable[str] = (),
    leave_out_platform: str | None = None,
    repair: Mapping[str, str] | None = None,
    sessions_table: str = "merchant_sessions",
    features_table: str = "merchant_features",
) -> pd.DataFrame:
    """Return the raw counts of the latest ``readings`` weekly readings.

    One row per current customer and reading day, with sessions, active
    users and core events in the window and in the baseline (per 28 days).
    Events named in ``leave_out`` are not counted when they come from
    ``leave_out_platform`` (from any platform when it is None). ``repair``
    names a broken event by feature_name, platform and app_version, whose
    missing events are imputed. The table names let the generator count
    relations other than the candidate tables; the features relation needs
    merchant_id, session_id, feature_name, usage_date and platform.
    """
    for table in (sessions_table, features_table):
        if not _IDENTIFIER.match(table):
            raise ValueError(
                f"table name {table!r} is not a plain SQL identifier: pass the "
                "name of a table or view, such as merchant_sessions"
            )
    parameters = {
        "readings": readings,
        "event_names": list(event_names),
        "leave_out": list(leave_out),
        "leave_out_platform": leave_out_platform,
    }
    repair_part = _NO_REPAIR
    if repair is not None:
        repair_part = repair_sql().strip()
        parameters |= {
            "repair_feature": repair["feature_name"],
            "repair_platform": repair["platform"],
            "repair_version": repair["app_version"],
        }
    text = sql().replace("{repair}", repair_part)
    text = text.format(sessions=sessions_table, features=features_table)
    cursor = con.cursor()
    try:
        frame = cursor.execute(text, parameters).df()
    finally:
        cursor.close()
    frame["reading_date"] = pd.to_datetime(frame["reading_date"])
    for column in frame.columns.drop(["merchant_id", "reading_date"]):
        frame[column] = frame[column].astype("float64")
    return frame


def score_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Add each component's ratio and points, and the score, to ``counts``.

    A ratio is NULL when its baseline is 0, and core_events_per_user also
    when the baseline has fewer than MIN_BASELINE_EVENTS events per 28
    days. The score is then the weighted mean of the components it has.
    With no user in the window, events per user count as 0. The score is
    NULL for a merchant too small to score.
    """
    scored = counts.copy()
    users_baseline = scored["users_baseline"].where(scored["users_baseline"] > 0)
    per_user_window = scored["events_window"] / scored["users_window"].where(
        scored["users_window"] > 0
    )
    enough_events = scored["events_baseline"] >= MIN_BASELINE_EVENTS
    per_user_baseline = scored["events_baseline"] / users_baseline
    per_user_baseline = per_user_baseline.where(enough_events)
    ratios = {
        "core_events_per_user": per_user_window.fillna(0) / per_user_baseline,
        "active_users": scored["users_window"] / users_baseline,
        "sessions": scored["sessions_window"]
        / scored["sessions_baseline"].where(scored["sessions_baseline"] > 0),
    }
    weighted = pd.Series(0.0, index=scored.index)
    known_weight = pd.Series(0.0, index=scored.index)
    for component in COMPONENTS:
        ratio = ratios[component.name]
        share = (ratio - component.floor) / (component.target - component.floor)
        points = 100 * share.clip(0, 1)
        scored[f"{component.name}_ratio"] = ratio
        scored[f"{component.name}_points"] = points
        weighted += points.fillna(0) * component.weight
        known_weight += points.notna() * component.weight
    score = weighted / known_weight.where(known_weight > 0)
    large_enough = scored["sessions_baseline"] >= MIN_BASELINE_SESSIONS
    scored["score"] = score.where(large_enough)
    return scored


def changes_from(scored: pd.DataFrame) -> pd.DataFrame:
    """Return each merchant's latest score beside the one DROP_DAYS before.

    One row per merchant scored on both readings of a scored history:
    merchant_id, score_before, score_after and drop (before minus after).
    """
    latest = scored["reading_date"].max()
    earlier = latest - pd.Timedelta(days=DROP_DAYS)
    after = scored[scored["reading_date"] == latest].set_index("merchant_id")
    before = scored[scored["reading_date"] == earlier].set_index("merchant_id")
    frame = pd.DataFrame(
        {
            "score_before": before["score"],
            "score_after": after["score"].reindex(before.index),
        }
    ).dropna()
    frame["drop"] = frame["score_before"] - frame["score_after"]
    return frame.rename_axis("merchant_id").reset_index()


def drops_from(scored: pd.DataFrame) -> pd.DataFrame:
    """Return the alerts in a scored history: the scores that fell sharply.

    The rows of ``changes_from`` whose drop is DROP_POINTS or more, largest
    drop first.
    """
    changes = changes_from(scored)
    frame = changes[changes["drop"] >= DROP_POINTS]
    return frame.sort_values(
        ["drop", "merchant_id"], ascending=[False, True], ignore_index=True
    )


def _check_leave_out(leave_out: Iterable[str], platform) -> tuple[str, ...]:
    if isinstance(leave_out, str):
        leave_out = (leave_out,)
    names = tuple(leave_out)
    unknown = [name for name in names if name not in CORE_EVENTS]
    if unknown:
        raise ValueError(
            f"leave_out names {', '.join(map(repr, unknown))}, which the score "
            f"does not count: choose from {', '.join(CORE_EVENTS)}"
        )
    if platform is None and len(set(names)) == len(CORE_EVENTS):
        raise ValueError(
            "leave_out names every core event, so nothing is left to count: "
            "leave out fewer events, or only those of one platform"
        )
    if platform is not None and platform not in PLATFORMS:
        raise ValueError(
            f"platform {platform!r} is not a client platform: use one of "
            f"{', '.join(PLATFORMS)}, or None for every platform"
        )
    if platform is not None and not names:
        raise ValueError(
            f"platform={platform!r} needs the events to leave out: pass them "
            "as leave_out, for example leave_out=['refunds']"
        )
    return names


def _check_repair(con: duckdb.DuckDBPyConnection, repair) -> dict | None:
    """Return ``repair`` as a dict of REPAIR_FIELDS, or raise ValueError."""
    if repair is None:
        return None
    if isinstance(repair, pd.DataFrame):
        if len(repair) != 1:
            raise ValueError(
                f"repair is a DataFrame of {len(repair)} rows: pass one row "
                "with feature_name, platform and app_version"
            )
        repair = repair.iloc[0]

    if not isinstance(repair, Mapping | pd.Series):
        raise ValueError(
            f"repair is a {type(repair).__name__}: pass a dict or a row with "
            "feature_name, platform and app_version"
        )
    values = {}
    for field in REPAIR_FIELDS:
        if field not in repair or pd.isna(repair[field]):
            raise ValueError(
                f"repair lacks {field}: pass feature_name, platform and "
                "app_version, for example the row of the tracking-break query"
            )
        values[field] = str(repair[field])

    if values["feature_name"] not in CORE_EVENTS:
        raise ValueError(
            f"repair names feature {values['feature_name']!r}, which the score "
            f"does not count: choose from {', '.join(CORE_EVENTS)}"
        )
    if values["platform"] not in PLATFORMS:
        raise ValueError(
            f"repair names platform {values['platform']!r}: use one of "
            f"{', '.join(PLATFORMS)}"
        )

    cursor = con.cursor()
    try:
        found = cursor.execute(
            "SELECT COUNT(*) FROM merchant_sessions "
            "WHERE platform = $platform AND app_version = $version",
            {"platform": values["platform"], "version": values["app_version"]},
        ).fetchall()[0][0]
    finally:
        cursor.close()
    if not found:
        raise ValueError(
            f"repair names app_version {values['app_version']!r}, which has no "
            f"session on {values['platform']}: give a release of that platform"
        )
    return values


def _check_weeks(weeks) -> int:
    if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer):
        raise ValueError(f"weeks must be a whole number, not {weeks!r}: try weeks=26")
    if weeks < 1:
        raise ValueError(f"weeks must be 1 or more, not {weeks}: try weeks=26")
    return int(weeks)


def scores(
    con: duckdb.DuckDBPyConnection,
    *,
    weeks: int = 26,
    leave_out: Iterable[str] = (),
    platform: str | None = None,
    repair=None,
) -> pd.DataFrame:
    """Return the weekly score history of every current customer.

    One row per merchant and reading day, the latest ``weeks`` readings,
    with the raw counts, each component's ratio and points, and the score
    (NULL for a merchant too small to score).

    ``leave_out`` names core events to stop counting in every window, as a
    CSM would exclude an event while its tracking is broken. With
    ``platform``, only the events sent from that platform are left out.
    ``repair`` names a broken tracking event (a dict or one-row DataFrame
    with feature_name, platform and app_version, the first broken release):
    every session on that release or a later one of the platform is given
    the merchant's own rate of that event per session from before the
    break.
    """
    names = _check_leave_out(leave_out, platform)
    counted = counts(
        con,
        readings=_check_weeks(weeks),
        leave_out=names,
        leave_out_platform=platform,
        repair=_check_repair(con, repair),
    )
    return score_counts(counted)


def _alert_history(con, leave_out, platform, repair) -> pd.DataFrame:
    """Return the readings an alert compares, the latest and DROP_DAYS before."""
    return scores(
        con,
        weeks=DROP_READINGS + 1,
        leave_out=leave_out,
        platform=platform,
        repair=repair,
    )


def changes(
    con: duckdb.DuckDBPyConnection,
    *,
    leave_out: Iterable[str] = (),
    platform: str | None = None,
    repair=None,
) -> pd.DataFrame:
    """Return every scored merchant's latest score and the one DROP_DAYS before.

    merchant_id, score_before, score_after and drop; the options are as in
    ``scores``.
    """
    return changes_from(_alert_history(con, leave_out, platform, repair))


def sharp_drops(
    con: duckdb.DuckDBPyConnection,
    *,
    leave_out: Iterable[str] = (),
    platform: str | None = None,
    repair=None,
) -> pd.DataFrame:
    """Return the merchants whose score fell sharply: the tool's alert list.

    The latest score is at least DROP_POINTS below the score DROP_DAYS
    earlier. One row per alert: merchant_id, arr (the active ARR),
    score_before, score_after and drop, the largest accounts first, as a
    CSM team works the list. The options are as in ``scores``.
    """
    drops = drops_from(_alert_history(con, leave_out, platform, repair))
    cursor = con.cursor()
    try:
        arr = cursor.execute(
            "SELECT merchant_id, CAST(SUM(arr_value) AS DOUBLE) AS arr "
            "FROM merchant_contracts WHERE contract_status = 'active' "
            "GROUP BY merchant_id"
        ).df()
    finally:
        cursor.close()
    drops = drops.merge(arr, on="merchant_id", how="left")
    columns = ["merchant_id", "arr", "score_before", "score_after", "drop"]
    return drops[columns].sort_values(
        ["arr", "merchant_id"], ascending=[False, True], ignore_index=True
    )
