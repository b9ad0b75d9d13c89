"""The sharp usage-score drops: planted, recorded, and visible in the data.

The answer key's score_drops table names the cause of every sharp drop of
the usage score (kit.usage_score). These tests check that each planted
cause makes its merchant's score fall sharply, that the counterfactuals
behind the key agree with the cause, that the coincidences are planted,
and that the evidence of each cause, and each coincidence, is in the
candidate tables.
"""

import json
from datetime import date, timedelta

import duckdb
import pytest

from kit import usage_score

PLANTED_CAUSES = {
    "tracking_break_exposure": "tracking_break",
    "tier_switch": "tier_switch",
    "key_contact_departure": "key_contact_departure",
    "usage_collapse": "real_disengagement",
}
COINCIDENCES = {
    "plan_change_without_rename": {"key_contact_departure", "tracking_break_exposure"},
    "broken_event_bystander": {"key_contact_departure", "usage_collapse"},
    "contact_exit": {"tier_switch"},
}


@pytest.fixture(params=["default-history", "shortest-history"])
def drop_dataset(request, build_dataset):
    if request.param == "default-history":
        return build_dataset()
    return build_dataset(seed=7, history_days=120, as_of=date(2025, 12, 31))


def score_drops(dataset):
    with duckdb.connect(str(dataset.answers), read_only=True) as key:
        frame = key.execute("SELECT * FROM score_drops").df(date_as_object=True)
    frame["details"] = frame["details"].map(json.loads)
    return frame.set_index("merchant_id")


@pytest.mark.parametrize("scenario", list(PLANTED_CAUSES))
def test_planted_cause_drops_sharply(drop_dataset, scenario):
    drops = score_drops(drop_dataset)
    planted = drop_dataset.planted(scenario)

    assert len(planted) >= 5
    for merchant_id in planted["merchant_id"]:
        row = drops.loc[merchant_id]
        assert row["flagged"], f"merchant {merchant_id} did not drop sharply"
        assert row["cause"] == PLANTED_CAUSES[scenario], f"merchant {merchant_id}"
        drop = row["score_before"] - row["score_after"]
        assert drop >= usage_score.DROP_POINTS + 5, f"merchant {merchant_id}: {drop}"


def test_rename_explains_tier_switch_drops(drop_dataset):
    drops = score_drops(drop_dataset)
    for merchant_id in drop_dataset.planted("tier_switch")["merchant_id"]:
        details = drops.loc[merchant_id, "details"]
        assert details["drop_renamed"] < usage_score.DROP_POINTS, merchant_id


def test_champion_explains_departure_drops(drop_dataset):
    drops = score_drops(drop_dataset)
    for merchant_id in drop_dataset.planted("key_contact_departure")["merchant_id"]:
        details = drops.loc[merchant_id, "details"]
        without = details["drop_without_champion"]
        # None: without the champion the account is too small to score.
        assert without is None or without < details["drop_observed"] / 2, merchant_id


def test_break_explains_exposure_drops(drop_dataset):
    drops = score_drops(drop_dataset)
    for merchant_id in drop_dataset.planted("tracking_break_exposure")["merchant_id"]:
        details = drops.loc[merchant_id, "details"]
        assert details["drop_restored"] < details["drop_observed"] / 2, merchant_id


def test_break_does_not_explain_collapses(drop_dataset):
    drops = score_drops(drop_dataset)
    for merchant_id in drop_dataset.planted("usage_collapse")["merchant_id"]:
        details = drops.loc[merchant_id, "details"]
        assert details["drop_restored"] >= details["drop_observed"] / 2, merchant_id


def test_most_alerts_have_a_planted_story(drop_dataset):
    """Noise alone rarely makes a score fall 20 points."""
    drops = score_drops(drop_dataset)
    flagged = drops[drops["flagged"]]

    unplanted = flagged[flagged["details"].map(lambda d: not d["planted"])]

    assert len(unplanted) <= len(flagged) // 10, list(unplanted.index)


@pytest.mark.parametrize("coincidence", list(COINCIDENCES))
def test_coincidences_decorate_causes(drop_dataset, coincidence):
    rows = drop_dataset.planted(coincidence)

    assert len(rows) >= 1
    partners = {details["with"] for details in rows["details"]}
    assert partners <= COINCIDENCES[coincidence]
    drops = score_drops(drop_dataset)
    for merchant_id in rows["merchant_id"]:
        assert coincidence in drops.loc[merchant_id, "details"]["coincidences"]


def name_counts(dataset, merchant_id: int, day) -> dict[str, tuple[int, int]]:
    """Return events per name in the 28 days before ``day`` and the 28 from it."""
    frame = dataset.query(
        "SELECT feature_name, COUNT(*) FILTER (WHERE usage_date < $day) AS before, "
        "COUNT(*) FILTER (WHERE usage_date >= $day) AS after "
        "FROM merchant_features WHERE merchant_id = $merchant "
        "AND usage_date >= $day - 28 AND usage_date < $day + 28 GROUP BY ALL",
        {"day": day, "merchant": merchant_id},
    )
    return {row.feature_name: (row.before, row.after) for row in frame.itertuples()}


def test_quiet_plan_changes_rename_nothing(drop_dataset):
    """No busy name vanishes and none appears: the evidence of a rename."""
    for row in drop_dataset.planted("plan_change_without_rename").itertuples():
        counts = name_counts(drop_dataset, row.merchant_id, row.event_date)
        vanished = [n for n, (b, a) in counts.items() if b >= 10 and a == 0]
        appeared = [n for n, (b, a) in counts.items() if b == 0 and a >= 10]
        assert not (vanished and appeared), f"merchant {row.merchant_id}"
        changes = drop_dataset.query(
            "SELECT change_date FROM plan_changes WHERE merchant_id = ?",
            [row.merchant_id],
        )
        assert list(changes["change_date"]) == [row.event_date]


def test_tier_switches_rename_busy_events(drop_dataset):
    for row in drop_dataset.planted("tier_switch").itertuples():
        counts = name_counts(drop_dataset, row.merchant_id, row.event_date)
        assert counts["reports"][0] >= 10, row.merchant_id
        assert counts["reports"][1] == 0, row.merchant_id
        assert counts["insights_reports"][0] == 0, row.merchant_id
        assert counts["insights_reports"][1] >= 10, row.merchant_id


def test_bystanders_lose_the_broken_event(drop_dataset):
    key = drop_dataset.tracking_break()
    for row in drop_dataset.planted("broken_event_bystander").itertuples():
        counts = drop_dataset.query(
            "SELECT COUNT(*) FILTER (WHERE usage_date < $day) AS before, "
            "COUNT(*) FILTER (WHERE usage_date >= $day AND app_version IN ("
            "  SELECT app_version FROM merchant_sessions WHERE platform = $platform"
            "  GROUP BY app_version HAVING MIN(session_date) >= $day)) AS broken "
            "FROM merchant_features WHERE merchant_id = $merchant "
            "AND platform = $platform AND feature_name = $feature",
            {
                "day": key["break_date"],
                "platform": key["platform"],
                "feature": key["feature_name"],
                "merchant": row.merchant_id,
            },
        ).iloc[0]
        assert counts["before"] > 0, f"merchant {row.merchant_id}"
        assert counts["broken"] == 0, f"merchant {row.merchant_id}"


def last_sessions(dataset, merchant_id: int):
    frame = dataset.query(
        "SELECT c.contact_id, c.is_key_contact, c.end_date, "
        "MAX(s.session_date) AS last_session FROM contacts c "
        "JOIN merchant_sessions s USING (contact_id) WHERE c.merchant_id = ? "
        "GROUP BY ALL",
        [merchant_id],
    )
    return frame.set_index("contact_id")


def test_departed_champions_silent_through_window(drop_dataset):
    as_of = drop_dataset.summary.as_of
    for row in drop_dataset.planted("key_contact_departure").itertuples():
        last = last_sessions(drop_dataset, row.merchant_id)
        assert last.loc[row.contact_id, "last_session"] < as_of - timedelta(days=28)
        others = last.drop(index=row.contact_id)
        assert (others["last_session"] >= as_of - timedelta(days=28)).any()


def test_collapse_champions_keep_logging_in(drop_dataset):
    as_of = drop_dataset.summary.as_of
    for merchant_id in drop_dataset.planted("usage_collapse")["merchant_id"]:
        last = last_sessions(drop_dataset, merchant_id)
        champion = last[last["is_key_contact"]]
        assert (champion["last_session"] >= as_of - timedelta(days=14)).all()


def test_exiting_contacts_are_ordinary(drop_dataset):
    for row in drop_dataset.planted("contact_exit").itertuples():
        last = last_sessions(drop_dataset, row.merchant_id)
        contact = last.loc[row.contact_id]
        assert not contact["is_key_contact"]
        assert contact["end_date"] == row.event_date
        assert contact["last_session"] <= row.event_date


def test_break_ships_between_readings(drop_dataset):
    key = drop_dataset.tracking_break()
    days_back = (drop_dataset.summary.as_of - key["break_date"]).days

    assert usage_score.DROP_DAYS < days_back <= 2 * usage_score.DROP_DAYS
