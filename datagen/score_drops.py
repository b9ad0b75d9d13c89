"""The answer key's record of every sharp usage-score drop and its cause.

The usage score (kit.usage_score) is computed on the written dataset, as a
candidate computes it, and again on counterfactual data the generator
alone can build:

- restored: the feature events the tracking break lost put back;
- renamed: the renamed events of a new tier counted under the old names;
- without champion: the departed champions' sessions and events left out.

A planted tier switch or departure is the cause of its merchant's drop,
and the renamed and without-champion counterfactuals show how much of the
drop it explains. A drop that restoring the lost events cuts by more than
half is the tracking break's. Every other sharp drop is real
disengagement: the customer's people used the product less.
"""

import json

import pandas as pd

from datagen import catalog
from datagen.plan import Plan
from kit import usage_score

CAUSES = (
    "tracking_break",
    "tier_switch",
    "key_contact_departure",
    "real_disengagement",
)
# Scenarios planted to make the usage score fall, and the cause each plants.
PLANTED_CAUSES = {
    "tracking_break_exposure": "tracking_break",
    "tier_switch": "tier_switch",
    "key_contact_departure": "key_contact_departure",
    "usage_collapse": "real_disengagement",
}
# Scenarios that decorate a drop with a misleading coincidence.
COINCIDENCES = (
    "plan_change_without_rename",
    "broken_event_bystander",
    "contact_exit",
)
_SUBJECTS = "datagen_subjects"
_SESSIONS = "datagen_subject_sessions"
_FEATURES = "datagen_subject_features"
_LOST = "datagen_lost_events"
_RESTORED = "datagen_restored_features"
_DEPARTED = "datagen_departed_champions"
_SESSIONS_WITHOUT = "datagen_sessions_without_champions"
_FEATURES_WITHOUT = "datagen_features_without_champions"


def _changes(connection, **options) -> pd.DataFrame:
    counts = usage_score.counts(
        connection, readings=usage_score.DROP_READINGS + 1, **options
    )
    changes = usage_score.changes_from(usage_score.score_counts(counts))
    return changes.set_index("merchant_id")


def _renamed_core_events() -> list[str]:
    """Return the tool's event names plus what renaming tiers call them."""
    renamed = [
        feature.renamed
        for feature in catalog.FEATURES
        if feature.renamed and feature.name in usage_score.CORE_EVENTS
    ]
    return [*usage_score.CORE_EVENTS, *renamed]


def _counterfactual_drops(
    connection, lost: pd.DataFrame, champions: list[int], subjects: list[int]
) -> dict[str, pd.Series]:
    """Return the drop of each merchant in ``subjects`` in each counterfactual.

    A merchant's score depends on its own rows alone, so the counterfactuals
    count only the subjects' rows: the merchants the answer key describes,
    a small share of the dataset. The relations are plain tables and views,
    because the score counts on a cursor, which sees no temporary object of
    the connection. They are dropped before the dataset is published.
    """
    connection.execute(
        f"CREATE TABLE {_SUBJECTS} AS SELECT unnest($subjects) AS merchant_id",
        {"subjects": [int(merchant) for merchant in subjects]},
    )
    for view, table in (
        (_SESSIONS, "merchant_sessions"),
        (_FEATURES, "merchant_features"),
    ):
        connection.execute(
            f"CREATE VIEW {view} AS SELECT * FROM {table} "
            f"WHERE merchant_id IN (SELECT merchant_id FROM {_SUBJECTS})"
        )
    connection.register("datagen_incoming_lost", lost)
    connection.execute(
        f"CREATE TABLE {_LOST} AS SELECT merchant_id, feature_name, "
        "CAST(usage_date AS DATE) AS usage_date, platform "
        "FROM datagen_incoming_lost "
        f"WHERE merchant_id IN (SELECT merchant_id FROM {_SUBJECTS})"
    )
    connection.unregister("datagen_incoming_lost")
    connection.execute(
        f"CREATE VIEW {_RESTORED} AS "
        f"SELECT merchant_id, feature_name, usage_date, platform FROM {_FEATURES} "
        f"UNION ALL SELECT merchant_id, feature_name, usage_date, platform FROM {_LOST}"
    )
    connection.execute(
        f"CREATE TABLE {_DEPARTED} AS SELECT unnest($champions) AS contact_id",
        {"champions": [int(contact) for contact in champions]},
    )
    for view, table in (
        (_SESSIONS_WITHOUT, _SESSIONS),
        (_FEATURES_WITHOUT, _FEATURES),
    ):
        connection.execute(
            f"CREATE VIEW {view} AS SELECT * FROM {table} "
            f"WHERE contact_id NOT IN (SELECT contact_id FROM {_DEPARTED})"
        )
    try:
        drops = {
            "restored": _changes(
                connection, sessions_table=_SESSIONS, features_table=_RESTORED
            ),
            "renamed": _changes(
                connection,
                event_names=_renamed_core_events(),
                sessions_table=_SESSIONS,
                features_table=_FEATURES,
            ),
            "without_champion": _changes(
                connection,
                sessions_table=_SESSIONS_WITHOUT,
                features_table=_FEATURES_WITHOUT,
            ),
        }
    finally:
        for view in (
            _RESTORED,
            _SESSIONS_WITHOUT,
            _FEATURES_WITHOUT,
            _SESSIONS,
            _FEATURES,
        ):
            connection.execute(f"DROP VIEW IF EXISTS {view}")
        for table in (_LOST, _DEPARTED, _SUBJECTS):
            connection.execute(f"DROP TABLE IF EXISTS {table}")
    return {name: frame["drop"] for name, frame in drops.items()}


def _by_merchant(plan: Plan) -> dict[int, list]:
    planted: dict[int, list] = {}
    for item in plan.planted:
        if item.merchant_id is not None and item.scenario != "seasonal_dip":
            planted.setdefault(item.merchant_id, []).append(item)
    return planted


def _cause(
    items: list, observed_drop: float, restored_drop: float
) -> tuple[str, object]:
    """Return the cause of one merchant's drop and the planted row behind it.

    The tracking break is the cause when restoring the events it lost takes
    away more than half of the drop.
    """
    for item in items:
        if item.scenario in ("tier_switch", "key_contact_departure"):
            return PLANTED_CAUSES[item.scenario], item
    if restored_drop < observed_drop / 2:
        return "tracking_break", None
    dated = [
        item
        for item in items
        if item.event_day is not None and item.scenario not in COINCIDENCES
    ]
    return "real_disengagement", (dated[0] if dated else None)


def score_drop_frame(connection, plan: Plan, lost: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of the answer key's score_drops table.

    ``connection`` has the dataset written; ``lost`` has one row per
    feature event the tracking break lost (merchant_id, feature_name,
    usage_date). The rows are every merchant whose score fell sharply, and
    every merchant planted to make it fall.
    """
    champions = [
        item.contact_id
        for item in plan.planted
        if item.scenario == "key_contact_departure"
    ]
    scores = _changes(connection)
    observed = scores["drop"]
    planted = _by_merchant(plan)
    flagged = set(observed.index[observed >= usage_score.DROP_POINTS])
    planted_to_drop = {
        merchant_id
        for merchant_id, items in planted.items()
        if any(item.scenario in PLANTED_CAUSES for item in items)
    }
    subjects = sorted(flagged | planted_to_drop)
    drops = {"observed": observed} | _counterfactual_drops(
        connection, lost, champions, subjects
    )
    brk = plan.tracking_break
    rows = []
    for merchant_id in subjects:
        items = planted.get(merchant_id, [])
        observed_drop = observed.get(merchant_id, 0.0)
        restored = drops["restored"].get(merchant_id, 0.0)
        cause, source = _cause(items, observed_drop, restored)
        if cause == "tracking_break":
            event_day, contact_id = brk.break_day, None
        elif source is not None:
            event_day, contact_id = source.event_day, source.contact_id
        else:
            event_day, contact_id = None, None
        details = {
            "planted": sorted({item.scenario for item in items}),
            "coincidences": sorted(
                {item.scenario for item in items if item.scenario in COINCIDENCES}
            ),
        }
        for name in ("observed", "restored", "renamed", "without_champion"):
            value = drops[name].get(merchant_id)
            details[f"drop_{name}"] = None if value is None else round(float(value), 2)
        if cause == "tracking_break":
            details |= {
                "feature_name": brk.feature_name,
                "platform": brk.platform,
                "app_version": brk.app_version,
            }
        known = merchant_id in scores.index
        rows.append(
            {
                "merchant_id": merchant_id,
                "cause": cause,
                "flagged": merchant_id in flagged,
                "score_before": scores["score_before"].get(merchant_id)
                if known
                else None,
                "score_after": scores["score_after"].get(merchant_id)
                if known
                else None,
                "event_date": event_day,
                "contact_id": contact_id,
                "details": json.dumps(details, sort_keys=True),
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "merchant_id",
            "cause",
            "flagged",
            "score_before",
            "score_after",
            "event_date",
            "contact_id",
            "details",
        ],
    )
    for column in ("event_date", "contact_id"):
        frame[column] = frame[column].astype("Int64")
    for column in ("score_before", "score_after"):
        frame[column] = frame[column].astype("float64")
    return frame
