"""Renewal outcomes follow earlier health, and the candidate tables show them.

The answer key's renewal_outcomes lists every term that reached its renewal
date inside the history. Every check here derives the same facts from the
dataset alone: a successor contract means renewed, none means lapsed, and
health read 90 days before the renewal separates the two.
"""

from datetime import timedelta

import duckdb
import pandas as pd
import pytest

RENEWAL_DATASETS = [
    pytest.param((42, 300), id="seed42-300"),
    pytest.param((42, 1000), id="seed42-1000", marks=pytest.mark.slow),
]
# Outcomes as a candidate derives them: expired terms renewing inside the
# history, renewed when the same merchant and product starts a contract on
# the renewal date.
DERIVED_OUTCOMES = """
SELECT c.contract_id, c.merchant_id, c.product, c.renewal_date,
    s.contract_id IS NOT NULL AS renewed, s.contract_id AS successor_contract_id
FROM merchant_contracts c
LEFT JOIN merchant_contracts s
    ON s.merchant_id = c.merchant_id AND s.product = c.product
    AND s.start_date = c.renewal_date
WHERE c.contract_status = 'expired'
    AND c.renewal_date >= (SELECT as_of - history_days FROM dataset_info)
    AND c.renewal_date <= as_of_date()
ORDER BY c.contract_id
"""
# Health components of each payments renewal, read on the snapshot day 90
# days before the renewal date. Each column is oriented so that a higher
# value means less healthy.
HEALTH_AT_SNAPSHOT = """
WITH renewals AS (
    SELECT c.contract_id, c.merchant_id, c.seats, c.renewal_date - 90 AS snapshot,
        s.contract_id IS NULL AS churned
    FROM merchant_contracts c
    LEFT JOIN merchant_contracts s
        ON s.merchant_id = c.merchant_id AND s.product = c.product
        AND s.start_date = c.renewal_date
    WHERE c.contract_status = 'expired' AND c.product = 'payments'
        AND c.renewal_date >= (SELECT as_of - history_days + 210 FROM dataset_info)
        AND c.renewal_date <= as_of_date()
),
sessions AS (
    SELECT r.contract_id,
        count(DISTINCT s.session_id)
            FILTER (WHERE s.session_date >= r.snapshot - 30) AS last_30d,
        count(DISTINCT s.session_id)
            FILTER (WHERE s.session_date < r.snapshot - 30) AS prior_30d,
        count(DISTINCT s.contact_id)
            FILTER (WHERE s.session_date >= r.snapshot - 30) AS users_30d
    FROM renewals r JOIN merchant_sessions s
        ON s.merchant_id = r.merchant_id
        AND s.session_date >= r.snapshot - 60 AND s.session_date < r.snapshot
    GROUP BY r.contract_id
),
invoices AS (
    SELECT r.contract_id,
        count(*) FILTER (
            WHERE i.paid_date > i.due_date OR i.paid_date IS NULL
        ) AS late_invoices
    FROM renewals r JOIN invoices i
        ON i.merchant_id = r.merchant_id
        AND i.due_date >= r.snapshot - 180 AND i.due_date < r.snapshot
    GROUP BY r.contract_id
),
nps AS (
    SELECT r.contract_id, avg(n.score) AS nps
    FROM renewals r JOIN nps_responses n
        ON n.merchant_id = r.merchant_id
        AND n.response_date >= r.snapshot - 180 AND n.response_date < r.snapshot
    GROUP BY r.contract_id
),
tickets AS (
    SELECT r.contract_id, count(*) AS tickets
    FROM renewals r JOIN support_tickets t
        ON t.merchant_id = r.merchant_id
        AND t.opened_at >= r.snapshot - 90 AND t.opened_at < r.snapshot
    GROUP BY r.contract_id
)
SELECT r.contract_id, r.churned,
    -(coalesce(s.last_30d, 0) / nullif(s.prior_30d, 0)) AS sessions_trend,
    -(coalesce(s.users_30d, 0) / r.seats) AS active_user_share,
    coalesce(i.late_invoices, 0) AS late_invoices,
    -n.nps AS nps,
    coalesce(t.tickets, 0) / r.seats AS tickets_per_seat
FROM renewals r
LEFT JOIN sessions s USING (contract_id)
LEFT JOIN invoices i USING (contract_id)
LEFT JOIN nps n USING (contract_id)
LEFT JOIN tickets t USING (contract_id)
"""


@pytest.fixture(params=RENEWAL_DATASETS)
def renewal_dataset(request, build_dataset):
    seed, merchants = request.param
    return build_dataset(seed=seed, merchants=merchants)


def renewal_key(dataset) -> pd.DataFrame:
    with duckdb.connect(str(dataset.answers), read_only=True) as connection:
        return connection.execute(
            "SELECT * FROM renewal_outcomes ORDER BY contract_id"
        ).df(date_as_object=True)


def auc(score: pd.Series, positive: pd.Series) -> float:
    """Return the area under the ROC curve of ``score`` for ``positive`` rows.

    Rows without a score are left out; ties count half.
    """
    known = score.notna()
    ranks = score[known].astype(float).rank()
    positive = positive[known].astype(bool)
    hits, misses = positive.sum(), (~positive).sum()
    return (ranks[positive].sum() - hits * (hits + 1) / 2) / (hits * misses)


def test_outcomes_derivable_from_contracts(renewal_dataset):
    key = renewal_key(renewal_dataset)
    derived = renewal_dataset.query(DERIVED_OUTCOMES)
    assert list(derived["contract_id"]) == list(key["contract_id"])
    assert list(derived["renewed"]) == list(key["renewed"])
    assert list(derived["renewal_date"]) == list(key["renewal_date"])
    pd.testing.assert_series_equal(
        derived["successor_contract_id"].astype("Int64"),
        key["successor_contract_id"].astype("Int64"),
    )


def test_enough_renewals_and_churn(renewal_dataset):
    key = renewal_key(renewal_dataset)
    core = key[key["product"] == "payments"]
    minimum = 0.15 * renewal_dataset.summary.merchants
    assert len(core) >= minimum
    churn_share = 1 - core["renewed"].mean()
    assert 0.10 <= churn_share <= 0.25
    assert (~key.loc[key["product"] != "payments", "renewed"]).any()


def test_lapse_probability_calibrated(renewal_dataset):
    core = renewal_key(renewal_dataset)
    core = core[(core["product"] == "payments") & core["lapse_probability"].notna()]
    churned = ~core["renewed"]
    assert core["lapse_probability"].mean() == pytest.approx(churned.mean(), abs=0.05)
    assert auc(core["renewal_risk"], churned) > 0.7
    assert core.loc[churned, "usage_decline_pct"].mean() > 20


def test_churned_merchants_leave(renewal_dataset):
    key = renewal_key(renewal_dataset)
    churned = key[(key["product"] == "payments") & ~key["renewed"]]
    contracts = renewal_dataset.query(
        "SELECT merchant_id, count(*) AS active FROM merchant_contracts "
        "WHERE contract_status = 'active' GROUP BY merchant_id"
    ).set_index("merchant_id")["active"]
    last_sessions = renewal_dataset.query(
        "SELECT merchant_id, max(session_date) AS last FROM merchant_sessions "
        "GROUP BY merchant_id"
    ).set_index("merchant_id")["last"]
    contacts = renewal_dataset.query("SELECT * FROM contacts")
    for row in churned.itertuples():
        assert row.merchant_id not in contracts.index, f"merchant {row.merchant_id}"
        if row.merchant_id in last_sessions.index:
            assert last_sessions[row.merchant_id] < row.renewal_date
        own = contacts[contacts["merchant_id"] == row.merchant_id]
        assert own["end_date"].notna().all(), f"merchant {row.merchant_id}"
        assert (own["end_date"] < row.renewal_date).all()
        assert (own["start_date"] <= own["end_date"]).all()


def test_declines_visible_before_renewal(renewal_dataset):
    key = renewal_key(renewal_dataset)
    first_day = renewal_dataset.summary.as_of - timedelta(
        days=renewal_dataset.summary.history_days
    )
    deep = key[
        (key["usage_decline_pct"] >= 40)
        & (key["usage_decline_start"] >= first_day + timedelta(days=60))
    ]
    assert len(deep) >= 5
    falls = []
    for row in deep.itertuples():
        start = row.usage_decline_start
        counts = renewal_dataset.query(
            "SELECT count(DISTINCT session_id) FILTER (WHERE session_date < $start) "
            "AS before, count(DISTINCT session_id) FILTER ("
            "WHERE session_date >= $start + 90 AND session_date < $start + 150) "
            "AS after FROM merchant_sessions WHERE merchant_id = $merchant "
            "AND session_date >= $start - 60 AND session_date < $start + 150",
            {"start": start, "merchant": row.merchant_id},
        ).iloc[0]
        if counts["before"] >= 20:
            falls.append(counts["after"] / counts["before"])
    assert len(falls) >= 3
    assert pd.Series(falls).median() < 0.8


@pytest.mark.slow
def test_health_separates_outcomes(build_dataset):
    health = build_dataset(seed=42, merchants=1000).query(HEALTH_AT_SNAPSHOT)
    churned = health["churned"]
    assert churned.sum() >= 30
    areas = {
        column: auc(health[column], churned)
        for column in (
            "sessions_trend",
            "active_user_share",
            "late_invoices",
            "nps",
            "tickets_per_seat",
        )
    }
    for column in ("sessions_trend", "active_user_share"):
        assert areas[column] >= 0.6, areas
    for column, area in areas.items():
        assert 0.55 <= area <= 0.9, (column, areas)


def test_invoice_lateness_realistic(renewal_dataset):
    days = renewal_dataset.query(
        "SELECT paid_date - due_date AS days_late FROM invoices "
        "WHERE paid_date IS NOT NULL"
    )["days_late"]
    late = days[days > 0]
    assert (days <= 0).mean() >= 0.7
    assert 0.05 <= (days > 0).mean() <= 0.3
    assert late.quantile(0.9) >= 20
    assert late.max() >= 45
    overdue = renewal_dataset.query(
        "SELECT count(*) AS n FROM invoices WHERE status = 'overdue'"
    )["n"][0]
    total = renewal_dataset.query("SELECT count(*) AS n FROM invoices")["n"][0]
    assert 0 < overdue <= 0.03 * total


def test_late_payers_churn_more(renewal_dataset):
    key = renewal_key(renewal_dataset)
    core = key[key["product"] == "payments"]
    late_share = renewal_dataset.query(
        "SELECT merchant_id, avg(CASE WHEN paid_date > due_date OR paid_date IS NULL "
        "THEN 1 ELSE 0 END) AS late_share FROM invoices "
        "WHERE due_date < as_of_date() GROUP BY merchant_id"
    ).set_index("merchant_id")["late_share"]
    shares = core.assign(late_share=late_share.reindex(core["merchant_id"]).to_numpy())
    churned = shares.loc[~shares["renewed"], "late_share"].mean()
    renewed = shares.loc[shares["renewed"], "late_share"].mean()
    assert churned > 1.3 * renewed
