"""Feature adoption by users varies between merchants, as in real B2B products.

Adoption is the CSM dashboard's feature_adoption_rate: distinct contacts
with a feature event over distinct contacts with a session, both in the
last 30 days. Many users only log in to look, so adoption sits well below 1
for a typical merchant and differs a lot between merchants. Champions stay
heavy users of the features.
"""

from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The CSM dashboard's reference query: one row per merchant under contract,
# with active_users and feature_adoption_rate over the last 30 days.
DASHBOARD = ROOT / "solutions" / "q1" / "csm_dashboard.sql"
ADOPTION_DATASETS = [
    pytest.param({}, id="default-history"),
    pytest.param(
        {"seed": 7, "history_days": 120, "as_of": date(2025, 12, 31)},
        id="shortest-history",
    ),
    pytest.param({"seed": 1}, id="seed1"),
]
# Merchants with fewer active users have adoption rates of 0, 1/2 or 1 only.
MIN_ACTIVE_USERS = 3
# Contacts with at least this many sessions in the last 30 days count as
# regular users.
REGULAR_SESSIONS = 5
REGULAR_USERS = """
SELECT c.contact_id, c.is_key_contact,
    EXISTS (
        SELECT 1 FROM merchant_features f
        WHERE f.contact_id = c.contact_id
          AND f.usage_date >= as_of_date() - 30 AND f.usage_date < as_of_date()
    ) AS used_features
FROM contacts c JOIN (
    SELECT contact_id FROM merchant_sessions
    WHERE session_date >= as_of_date() - 30 AND session_date < as_of_date()
    GROUP BY contact_id
    HAVING count(DISTINCT session_id) >= ?
) USING (contact_id)
"""


@pytest.fixture(params=ADOPTION_DATASETS)
def adoption_dataset(request, build_dataset):
    return build_dataset(**request.param)


def adoption_rates(dataset):
    dashboard = dataset.query(DASHBOARD.read_text())
    rates = dashboard.loc[
        dashboard["active_users"] >= MIN_ACTIVE_USERS, "feature_adoption_rate"
    ].astype(float)
    assert len(rates) >= 50
    return rates


def test_adoption_median_below_saturation(adoption_dataset):
    median = adoption_rates(adoption_dataset).median()
    assert median < 0.9
    assert median > 0.5


def test_adoption_spreads_across_merchants(adoption_dataset):
    rates = adoption_rates(adoption_dataset)
    assert rates.quantile(0.9) - rates.quantile(0.1) >= 0.2
    assert rates.quantile(0.1) >= 0.2


def test_some_regular_users_only_log_in(adoption_dataset):
    users = adoption_dataset.query(REGULAR_USERS, [REGULAR_SESSIONS])
    others = users[~users["is_key_contact"]]
    assert (~others["used_features"]).mean() >= 0.1


def test_key_contacts_use_features(adoption_dataset):
    users = adoption_dataset.query(REGULAR_USERS, [REGULAR_SESSIONS])
    key = users[users["is_key_contact"]]
    assert len(key) >= 20
    assert key["used_features"].mean() >= 0.95


def test_departing_champions_used_features(adoption_dataset):
    planted = adoption_dataset.planted("key_contact_departure")
    assert len(planted) >= 5
    for row in planted.itertuples():
        events = adoption_dataset.query(
            "SELECT count(*) AS n FROM merchant_features "
            "WHERE contact_id = ? AND usage_date > ? AND usage_date <= ?",
            [row.contact_id, row.event_date - timedelta(days=30), row.event_date],
        )["n"].iloc[0]
        assert events > 0, f"contact {row.contact_id}"
