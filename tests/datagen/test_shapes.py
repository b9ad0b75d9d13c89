"""Realistic shapes of the baseline data, and the dataset's fixed structure."""

from datetime import timedelta
from importlib import resources

import duckdb
import pytest

SHAPE_DATASETS = [
    pytest.param((42, 300), id="seed42-300"),
    pytest.param((42, 1000), id="seed42-1000", marks=pytest.mark.slow),
]
ACTIVITY_DATES = {
    "merchant_sessions": "session_date",
    "merchant_features": "usage_date",
    "daily_transaction_volume": "volume_date",
}
# Every other date or timestamp that must lie before the as-of date.
PAST_COLUMNS = {
    "support_tickets": ("opened_at", "closed_at"),
    "nps_responses": ("response_date",),
    "invoices": ("issue_date", "paid_date"),
    "merchant_contracts": ("signed_date",),
    "plan_changes": ("change_date",),
    "contacts": ("start_date", "end_date"),
    "merchants": ("signup_date",),
    "merchant_sessions": ("session_start",),
    "merchant_features": ("used_at",),
}


@pytest.fixture(params=SHAPE_DATASETS)
def shape_dataset(request, build_dataset):
    seed, merchants = request.param
    return build_dataset(seed=seed, merchants=merchants)


def scalar(dataset, sql: str, parameters: list | None = None):
    with dataset.connect() as connection:
        return connection.execute(sql, parameters).fetchone()[0]


def test_weekends_far_quieter(shape_dataset):
    per_day = shape_dataset.query(
        "SELECT isodow(session_date) >= 6 AS weekend, "
        "count(*) / count(DISTINCT session_date) AS sessions "
        "FROM merchant_sessions GROUP BY ALL"
    ).set_index("weekend")["sessions"]
    assert per_day[False] > 3 * per_day[True]


def test_arr_ordered_by_segment(shape_dataset):
    medians = shape_dataset.query(
        """
        SELECT m.segment, median(a.arr) AS arr, median(m.seats) AS seats
        FROM merchants m JOIN (
            SELECT merchant_id, sum(arr_value) AS arr FROM merchant_contracts
            WHERE contract_status = 'active' GROUP BY merchant_id
        ) a USING (merchant_id)
        GROUP BY m.segment
        """
    ).set_index("segment")
    arr = medians["arr"]
    assert 2_000 <= arr["smb"] <= 5_000
    assert 5_000 <= arr["mid_market"] <= 50_000
    assert arr["enterprise"] > 50_000
    seats = medians["seats"]
    assert seats["smb"] < seats["mid_market"] < seats["enterprise"]


def test_segment_shares(shape_dataset):
    shares = shape_dataset.query(
        "SELECT segment, count(*) / sum(count(*)) OVER () AS share "
        "FROM merchants GROUP BY segment"
    ).set_index("segment")["share"]
    assert shares["smb"] == pytest.approx(0.6, abs=0.01)
    assert shares["mid_market"] == pytest.approx(0.3, abs=0.01)
    assert shares["enterprise"] == pytest.approx(0.1, abs=0.01)


def test_arr_has_fat_tail(shape_dataset):
    totals = shape_dataset.query(
        "SELECT sum(arr_value) AS arr FROM merchant_contracts "
        "WHERE contract_status = 'active' GROUP BY merchant_id ORDER BY arr DESC"
    )["arr"]
    top_tenth = totals.head(len(totals) // 10).sum()
    assert top_tenth / totals.sum() > 0.4


@pytest.mark.parametrize("table,column", sorted(ACTIVITY_DATES.items()))
def test_activity_within_history(shape_dataset, table, column):
    summary = shape_dataset.summary
    first, last = shape_dataset.query(
        f"SELECT min({column}) AS first, max({column}) AS last FROM {table}"
    ).iloc[0]
    assert first >= summary.as_of - timedelta(days=summary.history_days)
    assert last == summary.as_of - timedelta(days=1)


@pytest.mark.parametrize(
    "table,column",
    [(table, column) for table, columns in PAST_COLUMNS.items() for column in columns],
)
def test_nothing_on_or_after_as_of(shape_dataset, table, column):
    late = scalar(
        shape_dataset,
        f"SELECT count(*) FROM {table} WHERE CAST({column} AS DATE) >= as_of_date()",
    )
    assert late == 0


@pytest.mark.parametrize("days", [1, 7, 30, 60, 90])
def test_window_spans_its_days(shape_dataset, days):
    covered = scalar(
        shape_dataset,
        "SELECT count(DISTINCT session_date) FROM merchant_sessions "
        "WHERE session_date >= as_of_date() - ? AND session_date < as_of_date()",
        [days],
    )
    assert covered == days


def test_as_of_macro_and_info(shape_dataset):
    summary = shape_dataset.summary
    assert scalar(shape_dataset, "SELECT as_of_date()") == summary.as_of
    assert scalar(shape_dataset, "SELECT typeof(as_of_date() - 30)") == "DATE"
    info = shape_dataset.query("SELECT * FROM dataset_info")
    assert len(info) == 1
    row = info.iloc[0]
    assert row["seed"] == summary.seed
    assert row["merchants"] == summary.merchants
    assert row["as_of"] == summary.as_of
    assert row["history_days"] == summary.history_days
    import datagen

    assert row["generator_version"] == datagen.__version__


def test_every_table_and_column_described(shape_dataset):
    tables = shape_dataset.query(
        "SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal"
    )
    assert len(tables) == 11
    assert tables["comment"].notna().all(), tables
    columns = shape_dataset.query(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE NOT internal"
    )
    assert columns["comment"].notna().all(), columns[columns["comment"].isna()]


def test_schema_matches_schema_file(shape_dataset):
    expected = duckdb.connect()
    schema = resources.files("datagen").joinpath("schema.sql").read_text()
    expected.execute(schema)
    wanted = expected.execute(
        "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
        "WHERE NOT internal ORDER BY ALL"
    ).fetchall()
    with shape_dataset.connect() as connection:
        found = connection.execute(
            "SELECT table_name, column_name, data_type, comment FROM duckdb_columns() "
            "WHERE NOT internal ORDER BY ALL"
        ).fetchall()
    assert found == wanted


def test_keys_only_on_dimensions(shape_dataset):
    keys = shape_dataset.query(
        "SELECT DISTINCT table_name, constraint_type FROM duckdb_constraints() "
        "WHERE constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')"
    )
    assert set(keys["table_name"]) == {"merchants", "contacts", "merchant_contracts"}


def test_redelivered_sessions_are_exact_copies(shape_dataset):
    counts = shape_dataset.query(
        "SELECT count(*) AS total, count(DISTINCT session_id) AS sessions, "
        "(SELECT count(*) FROM (SELECT DISTINCT * FROM merchant_sessions)) AS rows "
        "FROM merchant_sessions"
    ).iloc[0]
    assert counts["rows"] == counts["sessions"]
    duplicated = (counts["total"] - counts["sessions"]) / counts["sessions"]
    assert 0.0005 < duplicated < 0.01


def test_champion_usually_heaviest_user(shape_dataset):
    share = scalar(
        shape_dataset,
        """
        WITH sessions AS (
            SELECT merchant_id, contact_id, count(DISTINCT session_id) AS n
            FROM merchant_sessions WHERE session_date >= as_of_date() - 90
            GROUP BY merchant_id, contact_id
        ),
        per_contact AS (
            SELECT *, rank() OVER (PARTITION BY merchant_id ORDER BY n DESC) AS place
            FROM sessions
        )
        SELECT avg(CASE WHEN c.is_key_contact THEN 1 ELSE 0 END)
        FROM per_contact p JOIN contacts c USING (contact_id)
        WHERE p.place = 1
        """,
    )
    assert share > 0.7


def test_activity_heavy_tailed_across_users(shape_dataset):
    top_share = scalar(
        shape_dataset,
        """
        WITH per_contact AS (
            SELECT merchant_id, contact_id, count(*) AS n FROM merchant_sessions
            GROUP BY ALL
        ),
        per_merchant AS (
            SELECT merchant_id, max(n) / sum(n) AS top, count(*) AS users
            FROM per_contact GROUP BY merchant_id
        )
        SELECT median(top) FROM per_merchant WHERE users >= 8
        """,
    )
    assert top_share > 0.2


def test_ticket_rates_scale_with_seats(shape_dataset):
    rates = shape_dataset.query(
        """
        SELECT m.segment, count(t.ticket_id) / count(DISTINCT m.merchant_id)
            / (any_value(i.history_days) / 30.44) AS per_month
        FROM merchants m LEFT JOIN support_tickets t USING (merchant_id),
            dataset_info i
        GROUP BY m.segment
        """
    ).set_index("segment")["per_month"]
    assert rates["smb"] < rates["mid_market"] < rates["enterprise"]
    overall = scalar(
        shape_dataset,
        "SELECT count(*) / (SELECT count(*) FROM merchants) "
        "/ (SELECT history_days / 30.44 FROM dataset_info) FROM support_tickets",
    )
    assert 0.4 < overall < 1.2


def test_nps_scores_cover_scale(shape_dataset):
    scores = shape_dataset.query(
        "SELECT score, count(*) AS n FROM nps_responses GROUP BY score"
    ).set_index("score")["n"]
    assert scores.index.min() >= 0
    assert scores.index.max() <= 10
    assert scores[scores.index >= 9].sum() > 0
    assert scores[scores.index <= 6].sum() > 0


def test_invoices_late_and_overdue(shape_dataset):
    statuses = shape_dataset.query(
        "SELECT status, count(*) AS n, count(*) FILTER (WHERE paid_date > due_date) "
        "AS late FROM invoices GROUP BY status"
    ).set_index("status")
    assert set(statuses.index) == {"paid", "open", "overdue"}
    assert statuses.loc["paid", "late"] > 0
    assert statuses.loc["overdue", "n"] > 0
    unpaid_with_date = scalar(
        shape_dataset,
        "SELECT count(*) FROM invoices "
        "WHERE status <> 'paid' AND paid_date IS NOT NULL",
    )
    assert unpaid_with_date == 0
    wrong_status = scalar(
        shape_dataset,
        "SELECT count(*) FROM invoices WHERE status = 'overdue' "
        "AND due_date >= as_of_date()",
    )
    assert wrong_status == 0


def test_contract_terms_consistent(shape_dataset):
    contracts = shape_dataset.query("SELECT * FROM merchant_contracts")
    as_of = shape_dataset.summary.as_of
    assert (contracts["signed_date"] <= contracts["start_date"]).all()
    assert (contracts["start_date"] < contracts["renewal_date"]).all()
    active = contracts[contracts["contract_status"] == "active"]
    assert (active["start_date"] <= as_of).all()
    assert (active["renewal_date"] > as_of).all()
    expired = contracts[contracts["contract_status"] == "expired"]
    assert (expired["renewal_date"] <= as_of).all()
    assert set(contracts["contract_status"]) == {"active", "expired", "cancelled"}
    products = active.groupby("merchant_id")["product"].nunique()
    assert (products > 1).any()
    arr_type = scalar(
        shape_dataset,
        "SELECT data_type FROM duckdb_columns() WHERE column_name = 'arr_value'",
    )
    assert arr_type == "DECIMAL(12,2)"


def test_renewals_follow_terms(shape_dataset):
    chained = scalar(
        shape_dataset,
        """
        SELECT count(*) FROM merchant_contracts a JOIN merchant_contracts b
            ON a.merchant_id = b.merchant_id AND a.product = b.product
            AND b.start_date = a.renewal_date
        WHERE a.contract_status = 'expired' AND b.signed_date < b.start_date
        """,
    )
    assert chained > 0


def test_platforms_and_releases(shape_dataset):
    platforms = shape_dataset.query(
        "SELECT platform, count(*) AS n, count(DISTINCT app_version) AS versions "
        "FROM merchant_sessions GROUP BY platform"
    ).set_index("platform")
    assert set(platforms.index) == {"web", "ios", "android"}
    assert platforms.loc["web", "n"] > platforms.loc["ios", "n"]
    assert (platforms["versions"] > 5).all()
    updating = scalar(
        shape_dataset,
        "SELECT count(*) FROM (SELECT contact_id FROM merchant_sessions "
        "WHERE platform = 'ios' GROUP BY contact_id "
        "HAVING count(DISTINCT app_version) > 1)",
    )
    assert updating > 0


def test_feature_names_by_tier(shape_dataset):
    names = set(
        shape_dataset.query("SELECT DISTINCT feature_name FROM merchant_features")[
            "feature_name"
        ]
    )
    assert {"payment_links", "invoicing", "refunds", "payouts", "reports"} <= names
    assert "insights_reports" in names
    starter_new_names = scalar(
        shape_dataset,
        """
        SELECT count(*) FROM merchant_features f JOIN merchants m USING (merchant_id)
        WHERE m.plan_tier = 'starter' AND f.feature_name = 'insights_reports'
        """,
    )
    assert starter_new_names == 0


def test_volume_every_active_day(shape_dataset):
    volume = shape_dataset.query(
        "SELECT transaction_count, gross_volume FROM daily_transaction_volume"
    )
    assert (volume["transaction_count"] > 0).all()
    assert (volume["gross_volume"] > 0).all()


def test_cancelled_date_only_on_cancelled(shape_dataset):
    misplaced = scalar(
        shape_dataset,
        "SELECT COUNT(*) FROM merchant_contracts "
        "WHERE (contract_status = 'cancelled') <> (cancelled_date IS NOT NULL)",
    )
    assert misplaced == 0


def test_cancelled_date_inside_term(shape_dataset):
    outside = scalar(
        shape_dataset,
        "SELECT COUNT(*) FROM merchant_contracts "
        "WHERE cancelled_date <= start_date OR cancelled_date > renewal_date "
        "OR cancelled_date > as_of_date()",
    )
    assert outside == 0
    cancelled = scalar(
        shape_dataset,
        "SELECT COUNT(*) FROM merchant_contracts WHERE cancelled_date IS NOT NULL",
    )
    assert cancelled > 0
