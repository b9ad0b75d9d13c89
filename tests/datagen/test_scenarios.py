"""Each planted scenario is visible in the candidate tables alone.

The answer key names the merchants; every check below reads only the
dataset, the way a candidate would, and most also show that merchants
without the scenario do not pass the same check.
"""

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

SCENARIO_DATASETS = [
    pytest.param({}, id="default-history"),
    pytest.param(
        {"seed": 7, "history_days": 120, "as_of": date(2025, 12, 31)},
        id="shortest-history",
    ),
]


@pytest.fixture(params=SCENARIO_DATASETS)
def scenario_dataset(request, build_dataset):
    return build_dataset(**request.param)


def as_of(dataset) -> date:
    return dataset.summary.as_of


def daily_sessions(dataset, merchant_id: int) -> pd.Series:
    """Return distinct sessions per day of one merchant, zero-filled."""
    counts = dataset.query(
        "SELECT session_date, COUNT(DISTINCT session_id) AS n FROM merchant_sessions "
        "WHERE merchant_id = ? GROUP BY session_date",
        [merchant_id],
    )
    first = as_of(dataset) - timedelta(days=dataset.summary.history_days)
    days = pd.date_range(first, as_of(dataset) - timedelta(days=1)).date
    return counts.set_index("session_date")["n"].reindex(days, fill_value=0)


def dropped_by_half(daily: pd.Series, baseline_end: date, end: date) -> bool:
    """Return whether the last 30 days hold at most half a baseline month.

    The baseline is the average 30 days of the 90 days before ``baseline_end``
    and holds at least 20 sessions.
    """
    last = daily[(daily.index >= end - timedelta(days=30)) & (daily.index < end)].sum()
    window = (daily.index >= baseline_end - timedelta(days=90)) & (
        daily.index < baseline_end
    )
    baseline = daily[window].sum() / 3
    return baseline >= 20 and last <= 0.5 * baseline


def test_renewal_drop_merchants_renewed_recently(scenario_dataset):
    planted = scenario_dataset.planted("renewal_usage_drop")
    assert len(planted) >= 5
    contracts = scenario_dataset.query(
        "SELECT * FROM merchant_contracts WHERE contract_status = 'active' "
        "AND signed_date >= as_of_date() - 90 AND signed_date < start_date"
    )
    for merchant_id, details in zip(
        planted["merchant_id"], planted["details"], strict=True
    ):
        own = contracts[contracts["merchant_id"] == merchant_id]
        signed = date.fromisoformat(details["renewal_signed_date"])
        assert signed in set(own["signed_date"]), f"merchant {merchant_id}"


def test_renewal_drop_sessions_halve(scenario_dataset):
    planted = scenario_dataset.planted("renewal_usage_drop")
    end = as_of(scenario_dataset)
    for merchant_id, drop, details in zip(
        planted["merchant_id"], planted["event_date"], planted["details"], strict=True
    ):
        signed = date.fromisoformat(details["renewal_signed_date"])
        assert end - timedelta(days=60) <= drop <= end - timedelta(days=30)
        assert signed < drop
        daily = daily_sessions(scenario_dataset, merchant_id)
        assert dropped_by_half(daily, signed, end), f"merchant {merchant_id}"


def test_renewal_drop_check_rejects_others(scenario_dataset):
    planted = scenario_dataset.planted("renewal_usage_drop")
    signed = date.fromisoformat(planted["details"].iloc[0]["renewal_signed_date"])
    with duckdb.connect(str(scenario_dataset.answers), read_only=True) as key:
        any_scenario = {
            m for (m,) in key.execute("SELECT merchant_id FROM planted").fetchall()
        }
    others = scenario_dataset.query(
        """
        SELECT merchant_id FROM merchants m
        WHERE signup_date < as_of_date() - 200
          AND EXISTS (
              SELECT 1 FROM merchant_contracts c
              WHERE c.merchant_id = m.merchant_id AND c.contract_status = 'active'
          )
          AND (SELECT count(*) FROM contacts c WHERE c.merchant_id = m.merchant_id
              AND c.end_date IS NULL) >= 3
        ORDER BY merchant_id
        """
    )["merchant_id"]
    others = [m for m in others if m not in any_scenario][:40]
    end = as_of(scenario_dataset)
    passing = [
        m
        for m in others
        if dropped_by_half(daily_sessions(scenario_dataset, m), signed, end)
    ]
    assert len(others) >= 20
    assert len(passing) <= len(others) // 10, passing


def contact_sessions(dataset, merchant_id: int) -> pd.DataFrame:
    return dataset.query(
        "SELECT contact_id, session_date, session_id FROM merchant_sessions "
        "WHERE merchant_id = ?",
        [merchant_id],
    ).drop_duplicates("session_id")


def test_departed_champion_goes_silent(scenario_dataset):
    planted = scenario_dataset.planted("key_contact_departure")
    assert len(planted) >= 5
    contacts = scenario_dataset.query("SELECT * FROM contacts").set_index("contact_id")
    features = scenario_dataset.query(
        "SELECT contact_id, max(usage_date) AS last_event FROM merchant_features "
        "GROUP BY contact_id"
    ).set_index("contact_id")["last_event"]
    for row in planted.itertuples():
        champion = contacts.loc[row.contact_id]
        assert champion["merchant_id"] == row.merchant_id
        assert champion["is_key_contact"]
        sessions = contact_sessions(scenario_dataset, row.merchant_id)
        own = sessions[sessions["contact_id"] == row.contact_id]
        assert own["session_date"].max() <= row.event_date
        assert (own["session_date"] > row.event_date - timedelta(days=30)).any()
        assert features[row.contact_id] <= row.event_date


def test_departed_champion_was_heaviest_user(scenario_dataset):
    planted = scenario_dataset.planted("key_contact_departure")
    for row in planted.itertuples():
        sessions = contact_sessions(scenario_dataset, row.merchant_id)
        before = sessions[
            (sessions["session_date"] <= row.event_date)
            & (sessions["session_date"] > row.event_date - timedelta(days=90))
        ]
        counts = before["contact_id"].value_counts()
        assert counts.index[0] == row.contact_id
        assert counts.iloc[0] > counts.iloc[1]


def test_other_contacts_carry_on(scenario_dataset):
    planted = scenario_dataset.planted("key_contact_departure")
    end = as_of(scenario_dataset)
    contacts = scenario_dataset.query("SELECT * FROM contacts").set_index("contact_id")
    before_total = after_total = 0.0
    for row in planted.itertuples():
        window_start = row.event_date - timedelta(days=60)
        sessions = contact_sessions(scenario_dataset, row.merchant_id)
        starts = contacts.loc[sessions["contact_id"], "start_date"].to_numpy()
        ends = contacts.loc[sessions["contact_id"], "end_date"].to_numpy()
        # Contacts who were there before the departure and never left.
        steady = (starts <= window_start) & pd.isna(ends)
        steady &= (sessions["contact_id"] != row.contact_id).to_numpy()
        others = sessions[steady]
        after = others[others["session_date"] > row.event_date]
        before = others[
            (others["session_date"] <= row.event_date)
            & (others["session_date"] > window_start)
        ]
        assert len(after) > 0, f"merchant {row.merchant_id}"
        before_total += len(before) / 60
        after_total += len(after) / (end - row.event_date).days
    assert 0.6 < after_total / before_total < 1.6


def test_crm_end_date_set_for_some(scenario_dataset):
    planted = scenario_dataset.planted("key_contact_departure")
    contacts = scenario_dataset.query("SELECT * FROM contacts").set_index("contact_id")
    end_dates = contacts.loc[planted["contact_id"], "end_date"]
    recorded = planted["details"].map(lambda d: d["crm_end_date_set"]).to_numpy()
    assert recorded.any()
    assert not recorded.all()
    assert list(end_dates[recorded]) == list(planted["event_date"][recorded])
    assert end_dates[~recorded].isna().all()


def test_current_champions_keep_working(scenario_dataset):
    departed = set(scenario_dataset.planted("key_contact_departure")["contact_id"])
    last = scenario_dataset.query(
        """
        SELECT c.contact_id, max(s.session_date) AS last_session
        FROM contacts c JOIN merchant_sessions s USING (contact_id)
        JOIN merchants m ON m.merchant_id = c.merchant_id
        WHERE c.is_key_contact AND c.end_date IS NULL
          AND m.signup_date < as_of_date() - 120
        GROUP BY c.contact_id
        """
    )
    others = last[~last["contact_id"].isin(departed)]
    silent = others[
        others["last_session"] < as_of(scenario_dataset) - timedelta(days=21)
    ]
    assert len(silent) <= len(others) // 10


def test_tracking_break_matches_key(scenario_dataset):
    key = scenario_dataset.tracking_break()
    (details,) = scenario_dataset.planted("broken_tracking_event")["details"]
    assert details["feature_name"] == key["feature_name"]
    assert details["platform"] == key["platform"]
    assert details["app_version"] == key["app_version"]
    assert key["events_lost"] > 0
    assert key["merchants_affected"] > 0


def version_usage(dataset, platform: str, feature: str) -> pd.DataFrame:
    """Return sessions and the feature's events per app version of one platform."""
    return dataset.query(
        """
        SELECT s.app_version, s.sessions, COALESCE(f.events, 0) AS events,
            s.first_day
        FROM (
            SELECT app_version, COUNT(DISTINCT session_id) AS sessions,
                min(session_date) AS first_day
            FROM merchant_sessions WHERE platform = $platform GROUP BY app_version
        ) s
        LEFT JOIN (
            SELECT app_version, count(*) AS events FROM merchant_features
            WHERE platform = $platform AND feature_name = $feature GROUP BY app_version
        ) f USING (app_version)
        ORDER BY first_day
        """,
        {"platform": platform, "feature": feature},
    ).set_index("app_version")


def test_broken_event_vanishes_for_version(scenario_dataset):
    key = scenario_dataset.tracking_break()
    usage = version_usage(scenario_dataset, key["platform"], key["feature_name"])
    broken = usage.loc[key["app_version"]]
    assert broken["sessions"] > 100
    assert broken["events"] == 0
    assert broken["first_day"] >= key["break_date"]
    position = list(usage.index).index(key["app_version"])
    previous = usage.iloc[position - 1]
    assert previous["events"] > 0
    other_events = scenario_dataset.query(
        "SELECT count(*) AS n FROM merchant_features WHERE platform = ? "
        "AND app_version = ? AND feature_name <> ?",
        [key["platform"], key["app_version"], key["feature_name"]],
    )["n"][0]
    assert other_events > 0


def test_tracking_break_is_unique(scenario_dataset):
    """Only the broken release and later ones of its platform are silent."""
    key = scenario_dataset.tracking_break()
    silent = []
    for platform in ("web", "ios", "android"):
        for feature in ("payment_links", "invoicing", "refunds", "payouts"):
            usage = version_usage(scenario_dataset, platform, feature)
            busy = usage[usage["sessions"] >= 100]
            silent += [(feature, platform, v) for v in busy.index[busy["events"] == 0]]
    usage = version_usage(scenario_dataset, key["platform"], key["feature_name"])
    later = usage[usage["first_day"] >= key["break_date"]]
    broken = [
        (key["feature_name"], key["platform"], v)
        for v in later.index[later["sessions"] >= 100]
    ]
    assert silent == broken
    assert silent[0] == (key["feature_name"], key["platform"], key["app_version"])


def test_later_releases_stay_broken(scenario_dataset):
    key = scenario_dataset.tracking_break()
    usage = version_usage(scenario_dataset, key["platform"], key["feature_name"])
    later = usage[usage["first_day"] >= key["break_date"]]
    assert key["app_version"] in later.index
    assert (later["events"] == 0).all()
    earlier = usage[usage["first_day"] < key["break_date"]]
    assert (earlier["events"] > 0).any()


def test_sessions_continue_through_break(scenario_dataset):
    key = scenario_dataset.tracking_break()
    daily = scenario_dataset.query(
        "SELECT session_date, COUNT(DISTINCT session_id) AS n FROM merchant_sessions "
        "WHERE platform = ? AND isodow(session_date) < 6 GROUP BY session_date",
        [key["platform"]],
    ).set_index("session_date")["n"]
    day = key["break_date"]
    before = daily[(daily.index < day) & (daily.index >= day - timedelta(days=28))]
    after = daily[(daily.index >= day) & (daily.index < day + timedelta(days=28))]
    assert 0.7 < after.mean() / before.mean() < 1.4


def test_tier_switch_recorded(scenario_dataset):
    planted = scenario_dataset.planted("tier_switch")
    assert len(planted) >= 5
    changes = scenario_dataset.query("SELECT * FROM plan_changes")
    merchants = scenario_dataset.query("SELECT * FROM merchants").set_index(
        "merchant_id"
    )
    contracts = scenario_dataset.query("SELECT * FROM merchant_contracts")
    end = as_of(scenario_dataset)
    for row in planted.itertuples():
        details = row.details
        assert end - timedelta(days=60) <= row.event_date < end
        change = changes[changes["merchant_id"] == row.merchant_id]
        assert list(change["change_date"]) == [row.event_date]
        assert list(change["from_tier"]) == [details["from_tier"]]
        assert list(change["to_tier"]) == [details["to_tier"]]
        assert merchants.loc[row.merchant_id, "plan_tier"] == details["to_tier"]
        own = contracts[contracts["merchant_id"] == row.merchant_id]
        new = own[
            (own["contract_status"] == "active") & (own["start_date"] == row.event_date)
        ]
        assert list(new["plan_tier"]) == [details["to_tier"]]
        assert (own["contract_status"] == "cancelled").any()


def feature_counts(dataset, merchant_id: int, day: date) -> dict[tuple[str, bool], int]:
    """Return events per (feature_name, on or after ``day``) of one merchant."""
    counts = dataset.query(
        "SELECT feature_name, usage_date >= ? AS after, count(*) AS n "
        "FROM merchant_features WHERE merchant_id = ? GROUP BY ALL",
        [day, merchant_id],
    )
    return {
        (name, bool(after)): int(n) for name, after, n in counts.itertuples(index=False)
    }


def test_tier_switch_renames_features(scenario_dataset):
    planted = scenario_dataset.planted("tier_switch")
    for row in planted.itertuples():
        counts = feature_counts(scenario_dataset, row.merchant_id, row.event_date)
        assert counts.get(("reports", False), 0) > 0
        assert counts.get(("reports", True), 0) == 0
        assert counts.get(("insights_reports", False), 0) == 0
        assert counts.get(("insights_reports", True), 0) > 0


def weekday_event_rate(dataset, merchant_id: int, first: date, end: date) -> float:
    """Return the merchant's feature events per working day in ``[first, end)``."""
    events = dataset.query(
        "SELECT count(*) AS n FROM merchant_features WHERE merchant_id = ? "
        "AND usage_date >= ? AND usage_date < ? AND isodow(usage_date) < 6",
        [merchant_id, first, end],
    )["n"][0]
    days = pd.bdate_range(first, end - timedelta(days=1))
    return events / len(days)


def test_tier_switch_keeps_real_usage(scenario_dataset):
    planted = scenario_dataset.planted("tier_switch")
    end = as_of(scenario_dataset)
    before_total = after_total = 0.0
    for row in planted.itertuples():
        day = row.event_date
        merchant_id = row.merchant_id
        before = weekday_event_rate(
            scenario_dataset, merchant_id, day - timedelta(days=60), day
        )
        after = weekday_event_rate(scenario_dataset, merchant_id, day, end)
        assert after > 0, f"merchant {merchant_id}"
        before_total += before
        after_total += after
    assert 0.6 < after_total / before_total < 1.6


def test_reports_unchanged_without_switch(scenario_dataset):
    switched = set(scenario_dataset.planted("tier_switch")["merchant_id"])
    counts = scenario_dataset.query(
        """
        SELECT f.merchant_id,
            count(*) FILTER (WHERE feature_name = 'reports') AS reports,
            count(*) FILTER (WHERE feature_name = 'insights_reports') AS insights
        FROM merchant_features f JOIN merchants m USING (merchant_id)
        WHERE m.plan_tier IN ('starter', 'growth')
        GROUP BY f.merchant_id
        """
    )
    others = counts[~counts["merchant_id"].isin(switched)]
    assert (others["reports"] > 0).sum() > 10
    assert (others["insights"] == 0).all()
    planted = counts[counts["merchant_id"].isin(switched)]
    assert (planted["insights"] > 0).all()
