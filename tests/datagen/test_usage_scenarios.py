"""Usage scenarios show in the candidate tables, and a reference query finds them.

expansion_ready and quiet_decline each come with the rule that an exercise
applies. Each rule is written here as SQL on the dataset alone, and it
must return every planted merchant and few others. seasonal_dip must make a
naive month-over-month rule flag its industry in its month.
"""

from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

USAGE_DATASETS = [
    pytest.param({}, id="default-history"),
    pytest.param(
        {"seed": 7, "history_days": 120, "as_of": date(2025, 12, 31)},
        id="shortest-history",
    ),
    pytest.param({"seed": 1}, id="seed1"),
    pytest.param({"merchants": 1000}, id="seed42-1000", marks=pytest.mark.slow),
]
EXPANSION_READY = """
WITH seat_limits AS (
    SELECT merchant_id, max(seats) AS seat_limit FROM merchant_contracts
    WHERE contract_status = 'active' GROUP BY merchant_id
),
usage AS (
    SELECT merchant_id,
        count(DISTINCT contact_id)
            FILTER (WHERE session_date >= as_of_date() - 30) AS users_30d,
        count(DISTINCT contact_id) FILTER (
            WHERE session_date >= as_of_date() - 120
            AND session_date < as_of_date() - 90
        ) AS users_earlier,
        count(DISTINCT session_id)
            FILTER (WHERE session_date >= as_of_date() - 60) AS sessions_60d,
        count(DISTINCT session_id)
            FILTER (WHERE session_date < as_of_date() - 60) AS sessions_prior_60d
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 120 AND session_date < as_of_date()
    GROUP BY merchant_id
)
SELECT merchant_id, seat_limit, users_30d, users_earlier, sessions_60d,
    sessions_prior_60d
FROM merchants JOIN seat_limits USING (merchant_id) JOIN usage USING (merchant_id)
WHERE signup_date <= as_of_date() - 180
    AND users_30d >= 0.9 * seat_limit
    AND users_30d >= users_earlier + 2
    AND sessions_prior_60d > 0
    AND sessions_60d >= 1.4 * sessions_prior_60d
ORDER BY merchant_id
"""
# Sessions per 28 days in the baseline [as_of - 140, as_of - 84), over the
# days of it inside the history, and sessions in the last 28 days. Both come
# in total and without the baseline's heaviest user. The slope is that of
# weekly sessions over the last 12 weeks.
QUIET_DECLINE_MEASURES = """
WITH bounds AS (
    SELECT greatest(as_of - 140, as_of - history_days) AS first_day,
        as_of - 84 AS end_day
    FROM dataset_info
),
per_contact AS (
    SELECT s.merchant_id, s.contact_id,
        count(DISTINCT s.session_id) * 28.0 / (b.end_day - b.first_day) AS per_28d
    FROM merchant_sessions s, bounds b
    WHERE s.session_date >= b.first_day AND s.session_date < b.end_day
    GROUP BY s.merchant_id, s.contact_id, b.first_day, b.end_day
),
baseline AS (
    SELECT merchant_id, sum(per_28d) AS baseline,
        sum(per_28d) - max(per_28d) AS others_baseline,
        arg_max(contact_id, per_28d) AS top_contact
    FROM per_contact GROUP BY merchant_id
),
last_28d AS (
    SELECT s.merchant_id, count(DISTINCT s.session_id) AS sessions,
        count(DISTINCT s.session_id) FILTER (WHERE s.contact_id <> b.top_contact)
            AS others
    FROM merchant_sessions s JOIN baseline b USING (merchant_id)
    WHERE s.session_date >= as_of_date() - 28 AND s.session_date < as_of_date()
    GROUP BY s.merchant_id
),
weekly AS (
    SELECT merchant_id, (as_of_date() - session_date - 1) // 7 AS weeks_ago,
        count(DISTINCT session_id) AS sessions
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 84 AND session_date < as_of_date()
    GROUP BY ALL
),
trend AS (
    SELECT merchant_id, regr_slope(sessions, -weeks_ago) AS slope
    FROM weekly GROUP BY merchant_id
)
SELECT b.merchant_id, b.baseline, b.others_baseline,
    coalesce(l.sessions, 0) AS last_28d, coalesce(l.others, 0) AS others_last_28d,
    t.slope,
    EXISTS (
        SELECT 1 FROM merchant_contracts c
        WHERE c.merchant_id = b.merchant_id AND c.contract_status = 'active'
    ) AS customer
FROM baseline b LEFT JOIN last_28d l USING (merchant_id)
LEFT JOIN trend t USING (merchant_id)
ORDER BY b.merchant_id
"""
QUIET_DECLINE = f"""
SELECT * FROM ({QUIET_DECLINE_MEASURES})
WHERE customer AND baseline >= 40
    AND last_28d > 0 AND last_28d <= 0.65 * baseline
    AND others_last_28d <= 0.75 * others_baseline
    AND slope < 0
"""
MONTHLY_SESSIONS = """
SELECT m.merchant_id, m.industry, date_trunc('month', s.session_date) AS month,
    count(DISTINCT s.session_id) AS sessions
FROM merchant_sessions s JOIN merchants m USING (merchant_id)
GROUP BY ALL
"""


@pytest.fixture(params=USAGE_DATASETS)
def usage_dataset(request, build_dataset):
    return build_dataset(**request.param)


def planted_elsewhere(dataset, scenario: str) -> set[int]:
    """Return merchants that carry any scenario or trap other than ``scenario``."""
    with duckdb.connect(str(dataset.answers), read_only=True) as key:
        rows = key.execute(
            "SELECT DISTINCT merchant_id FROM planted WHERE merchant_id IS NOT NULL "
            "AND scenario NOT IN (?, 'seasonal_dip')",
            [scenario],
        ).fetchall()
    return {merchant_id for (merchant_id,) in rows}


def test_expansion_rule_finds_planted(usage_dataset):
    planted = usage_dataset.planted("expansion_ready")
    assert len(planted) >= 5
    found = usage_dataset.query(EXPANSION_READY)
    missing = set(planted["merchant_id"]) - set(found["merchant_id"])
    assert not missing, found
    others = set(found["merchant_id"]) - set(planted["merchant_id"])
    assert len(others) <= max(1, len(planted) // 5), others
    assert not others & planted_elsewhere(usage_dataset, "expansion_ready")


def test_expansion_fills_seats(usage_dataset):
    planted = usage_dataset.planted("expansion_ready")
    end = usage_dataset.summary.as_of
    contacts = usage_dataset.query("SELECT * FROM contacts")
    found = usage_dataset.query(EXPANSION_READY).set_index("merchant_id")
    for row in planted.itertuples():
        details = row.details
        own = contacts[contacts["merchant_id"] == row.merchant_id]
        current = own[own["end_date"].isna()]
        assert len(current) == details["seat_limit"], f"merchant {row.merchant_id}"
        hired = current[current["start_date"] >= end - timedelta(days=88)]
        assert len(hired) == details["users_added"] >= 2
        assert (hired["start_date"] <= end - timedelta(days=45)).all()
        assert not hired["is_key_contact"].any()
        assert hired["email"].is_unique
        assert found.loc[row.merchant_id, "users_30d"] == details["seat_limit"]
        assert "seat_limit" in details["rule"]


def test_quiet_decline_rule_finds_planted(usage_dataset):
    planted = usage_dataset.planted("quiet_decline")
    assert len(planted) >= 5
    found = usage_dataset.query(QUIET_DECLINE)
    missing = set(planted["merchant_id"]) - set(found["merchant_id"])
    assert not missing, (
        usage_dataset.query(QUIET_DECLINE_MEASURES)
        .set_index("merchant_id")
        .loc[sorted(missing)]
    )
    others = set(found["merchant_id"]) - set(planted["merchant_id"])
    others -= planted_elsewhere(usage_dataset, "quiet_decline")
    assert len(others) <= len(planted), others


def test_quiet_decline_is_steady(usage_dataset):
    planted = usage_dataset.planted("quiet_decline")
    end = usage_dataset.summary.as_of
    for row in planted.itertuples():
        assert end - timedelta(days=70) <= row.event_date <= end - timedelta(days=56)
        weekly = usage_dataset.query(
            "SELECT (as_of_date() - session_date - 1) // 14 AS fortnights_ago, "
            "count(DISTINCT session_id) AS n FROM merchant_sessions "
            "WHERE merchant_id = ? AND session_date >= as_of_date() - 56 "
            "GROUP BY ALL ORDER BY fortnights_ago DESC",
            [row.merchant_id],
        )["n"]
        assert len(weekly) == 4
        assert weekly.iloc[-1] < weekly.iloc[0], f"merchant {row.merchant_id}"


def test_quiet_decline_spread_unlike_departure(usage_dataset):
    measures = usage_dataset.query(QUIET_DECLINE_MEASURES).set_index("merchant_id")
    others_ratio = measures["others_last_28d"] / measures["others_baseline"]
    quiet = usage_dataset.planted("quiet_decline")["merchant_id"]
    departed = usage_dataset.planted("key_contact_departure")["merchant_id"]
    quiet_ratio = others_ratio.loc[quiet].mean()
    departed_ratio = others_ratio.loc[departed].mean()
    assert quiet_ratio < 0.7
    assert departed_ratio > quiet_ratio + 0.3
    contacts = usage_dataset.query(
        "SELECT merchant_id, count(*) AS n FROM contacts WHERE end_date IS NULL "
        "GROUP BY merchant_id"
    ).set_index("merchant_id")["n"]
    assert (contacts.loc[quiet] >= 3).all()


def dip_rows(dataset) -> pd.DataFrame:
    planted = dataset.planted("seasonal_dip")
    assert len(planted) > 0
    return planted


def test_seasonal_dip_recorded(usage_dataset):
    planted = dip_rows(usage_dataset)
    details = planted["details"]
    assert details.map(lambda d: d["industry"]).nunique() == 1
    assert details.map(lambda d: d["month"]).nunique() == 1
    first = date.fromisoformat(details.iloc[0]["first_date"])
    last = date.fromisoformat(details.iloc[0]["last_date"])
    summary = usage_dataset.summary
    assert (planted["event_date"] == first).all()
    assert first >= summary.as_of - timedelta(days=summary.history_days)
    assert last < summary.as_of - timedelta(days=60)
    industry = details.iloc[0]["industry"]
    merchants = usage_dataset.query(
        "SELECT merchant_id FROM merchants WHERE industry = ? "
        "AND merchant_id IN (SELECT merchant_id FROM merchant_sessions "
        "WHERE session_date BETWEEN ? AND ?)",
        [industry, first, last],
    )["merchant_id"]
    assert set(merchants) <= set(planted["merchant_id"])


def test_seasonal_dip_hits_one_industry(usage_dataset):
    details = dip_rows(usage_dataset)["details"].iloc[0]
    month = pd.Timestamp(details["first_date"])
    before = month - pd.DateOffset(months=1)
    monthly = usage_dataset.query(MONTHLY_SESSIONS)
    by_industry = monthly.groupby(["industry", "month"])["sessions"].sum()
    for industry in monthly["industry"].unique():
        change = by_industry[(industry, month)] / by_industry[(industry, before)]
        if industry == details["industry"]:
            assert change < 0.65, industry
        else:
            assert change > 0.8, (industry, change)


def test_naive_drop_rule_flags_industry(usage_dataset):
    planted = dip_rows(usage_dataset)
    details = planted["details"].iloc[0]
    month = pd.Timestamp(details["first_date"])
    before = month - pd.DateOffset(months=1)
    monthly = usage_dataset.query(MONTHLY_SESSIONS)
    pivot = monthly.pivot_table(
        index=["merchant_id", "industry"], columns="month", values="sessions"
    ).reset_index()
    pivot = pivot[pivot[before] >= 10]
    flagged = pivot[month].fillna(0) <= 0.7 * pivot[before]
    dipped = pivot["industry"] == details["industry"]
    assert flagged[dipped].mean() >= 0.7
    assert flagged[~dipped].mean() <= 0.15
