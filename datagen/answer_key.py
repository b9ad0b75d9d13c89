"""The answer key: ground truth of what was planted, in its own DuckDB file.

The key lives in ``<stem>.answers.duckdb`` beside the dataset and is never
opened by candidate code. Its tables:

``planted(scenario, kind, merchant_id, contact_id, event_date, details)``
    One row per merchant per planted scenario or SQL trap. ``kind`` is
    'scenario' or 'sql_trap'. ``contact_id`` is set where a person is
    involved (the departed champion of key_contact_departure).
    ``event_date`` is the day the story starts: the usage drop, the
    champion's last day, the tier switch, the tracking break, the first
    new user of expansion_ready, the start of a quiet_decline, the first
    day of the seasonal_dip month, a no_baseline merchant's first activity,
    a gone_dark merchant's last one; NULL for traps without a date.
    ``details`` is a JSON object, for example
    ``{"from_tier": "growth", "to_tier": "scale", ...}``. Trap rows carry
    ``place``, the merchant's place by total active ARR.
    broken_tracking_event has one row with NULL merchant_id, because the
    break hits every merchant. seasonal_dip has one row per merchant of the
    dipped industry active in the month, each with the industry, month,
    first and last date and usage factor. expansion_ready and quiet_decline
    rows carry ``rule``, the rule an exercise applies to find them.

``renewal_outcomes(contract_id, merchant_id, product, renewal_date,
renewed, successor_contract_id, lapse_probability, renewal_risk,
usage_decline_start, usage_decline_pct)``
    One row per contract term that reached its renewal date inside the
    history, with its outcome and the risk behind it (datagen.renewals).

``tracking_break(feature_name, platform, app_version, break_date,
events_lost, merchants_affected)``
    The one feature event that a client release stopped sending, from that
    release's date, as every later release of its platform does.

``score_drops(merchant_id, cause, flagged, score_before, score_after,
event_date, contact_id, details)``
    Every merchant whose usage score fell sharply, and every merchant
    planted to make it fall, with the cause of the drop
    (datagen.score_drops).

``dataset_info``
    The same row as in the dataset, to match a key with its dataset.
"""

import json
from importlib import resources

import pandas as pd

from datagen.plan import Planted, TrackingBreak
from datagen.writer import TemporaryDatabase


def planted_frame(planted: list[Planted]) -> pd.DataFrame:
    def nullable(values: list) -> pd.array:
        return pd.array(values, dtype="Int64")

    return pd.DataFrame(
        {
            "scenario": [p.scenario for p in planted],
            "kind": [p.kind for p in planted],
            "merchant_id": nullable([p.merchant_id for p in planted]),
            "contact_id": nullable([p.contact_id for p in planted]),
            "event_date": nullable([p.event_day for p in planted]),
            "details": [json.dumps(p.details, sort_keys=True) for p in planted],
        }
    )


def write_answer_key(
    database: TemporaryDatabase,
    planted: list[Planted],
    renewals: pd.DataFrame,
    tracking_break: TrackingBreak,
    events_lost: int,
    merchants_affected: int,
    score_drops: pd.DataFrame,
    dataset_info: pd.DataFrame,
    dataset_info_ddl: str,
) -> None:
    """Create and fill the answer-key tables in ``database``.

    ``dataset_info_ddl`` creates and describes dataset_info as the dataset does.
    """
    schema = resources.files("datagen").joinpath("answer_key.sql")
    database.execute(schema.read_text(encoding="utf-8"))
    database.execute(dataset_info_ddl)
    database.append("planted", planted_frame(planted))
    database.append("renewal_outcomes", renewals)
    database.append(
        "tracking_break",
        pd.DataFrame(
            {
                "feature_name": [tracking_break.feature_name],
                "platform": [tracking_break.platform],
                "app_version": [tracking_break.app_version],
                "break_date": [tracking_break.break_day],
                "events_lost": [events_lost],
                "merchants_affected": [merchants_affected],
            }
        ),
    )
    database.append("score_drops", score_drops)
    database.append("dataset_info", dataset_info)
