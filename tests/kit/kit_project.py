"""A small fixture project: a real DuckDB dataset, exercises.yaml and solutions.

The dataset uses the generator's own schema (datagen/schema.sql) with a
handful of hand-written rows, so the tests need no generator run. Planted
in it: a merchant with two active contracts, a cancelled contract, a
merchant without sessions in the prior window (its change is NULL) and a
session delivered twice.
"""

import datetime as dt
import os
import shutil
import textwrap
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA = REPO_ROOT / "datagen" / "schema.sql"
AS_OF = dt.date(2026, 6, 30)

MERCHANTS = [
    # merchant_id, segment, industry
    (1, "enterprise", "retail"),
    (2, "mid_market", "travel"),
    (3, "smb", "retail"),
    (4, "smb", "food"),
    (5, "mid_market", "retail"),
    (6, "enterprise", "travel"),
]

CONTRACTS = [
    # contract_id, merchant_id, product, arr_value, renewal_date, status
    (10, 1, "payments", "5000.00", "2027-01-15", "active"),
    (11, 1, "payouts", "3000.00", "2026-09-01", "active"),
    (12, 2, "payments", "7000.00", "2026-12-01", "active"),
    (13, 3, "payments", "1500.00", "2026-08-01", "active"),
    (14, 3, "payouts", "9000.00", "2026-03-01", "cancelled"),
    (15, 4, "payments", "900.00", "2027-02-01", "active"),
    (16, 5, "payments", "2500.00", "2026-11-01", "active"),
    (17, 6, "payments", "4000.00", "2025-12-01", "expired"),
    (18, 6, "payments", "4200.00", "2026-12-01", "active"),
]

# merchant_id -> (sessions in the last 30 days, sessions in the 30 days before)
SESSION_COUNTS = {1: (2, 10), 2: (8, 8), 3: (3, 0), 4: (1, 4), 5: (6, 5), 6: (9, 10)}

TOP_ARR_SQL = """\
-- Merchants by active ARR with their session change.
WITH arr AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr
    FROM merchant_contracts
    WHERE contract_status = 'active'
    GROUP BY merchant_id
),
recent AS (
    SELECT merchant_id, COUNT(DISTINCT session_id) AS sessions
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 30 AND session_date < as_of_date()
    GROUP BY merchant_id
),
prior AS (
    SELECT merchant_id, COUNT(DISTINCT session_id) AS sessions
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 60 AND session_date < as_of_date() - 30
    GROUP BY merchant_id
)
SELECT
    a.merchant_id,
    a.total_arr,
    COALESCE(r.sessions, 0) AS sessions_last_30d,
    COALESCE(p.sessions, 0) AS sessions_prior_30d,
    ROUND((COALESCE(r.sessions, 0) - p.sessions) * 100.0
          / NULLIF(p.sessions, 0), 2) AS session_change_pct
FROM arr AS a
LEFT JOIN recent AS r USING (merchant_id)
LEFT JOIN prior AS p USING (merchant_id)
ORDER BY total_arr DESC
"""

RETAIL_PY = """\
answer = con.sql(
    "SELECT merchant_id, segment FROM merchants WHERE industry = 'retail'"
).df()
"""

LOW_ACTIVITY_PY = """\
rows = con.sql(
    "SELECT merchant_id FROM merchant_sessions "
    "WHERE session_date >= as_of_date() - 30 "
    "GROUP BY merchant_id HAVING COUNT(DISTINCT session_id) < 3"
).fetchall()
answer = [merchant_id for (merchant_id,) in rows]
"""

OWNERS_PY = """\
answer = {"nps": "csm", "arr": "am", "login_frequency": "csm"}
"""

ACTIVE_ARR_PY = """\
answer = con.execute(
    "SELECT SUM(arr_value) FROM merchant_contracts WHERE contract_status = 'active'"
).fetchone()[0]
"""

AUDIENCE_PY = 'answer = "csm"\n'

REGISTRY = """\
exercises:
  - id: q2.top_arr
    title: Merchants by active ARR with their session change
    notebook: check-pass
    question_type: sql
    audience: csm
    answer: sql
    solution: q2/top_arr.sql
    compare:
      keys: [merchant_id]
      sort:
        - {column: total_arr, descending: true}
      tolerance: {session_change_pct: 0.01}
    hints:
      - Start from the active contracts.
      - Sum arr_value per merchant, then join the session counts.
      - Divide by NULLIF(prior, 0) so merchants without prior sessions get NULL.
    explanation: Active contracts only, summed per merchant; sessions counted
      distinct, because the pipeline delivers some twice.
    mistakes:
      - id: grouped_by_renewal_date
        when: {duplicate_keys: true}
        message: A merchant appears once per renewal date; group by merchant_id only.
      - id: window_in_where
        when: {error: WHERE clause cannot contain window functions}
        message: Compute the rank in a CTE, then filter on it outside.
      - id: counted_redelivered_sessions
        when:
          differs: {column: sessions_last_30d, direction: higher}
        message: Count DISTINCT session_id; some sessions were delivered twice.
      - id: included_cancelled
        when:
          sql: "^((?!contract_status).)*$"
          differs: {column: total_arr, direction: higher}
        message: Keep only contract_status = 'active'.
  - id: q2.retail_segments
    title: Retail merchants and their segment
    notebook: check-pass
    question_type: tour
    audience: both
    answer: dataframe
    solution: q2/retail_segments.py
    compare:
      keys: [merchant_id]
    hints: [Filter merchants on industry.]
    explanation: The merchants table has industry and segment.
  - id: q5.low_activity
    title: Merchants with fewer than three sessions in the last 30 days
    notebook: check-fail
    question_type: data_quality
    audience: csm
    answer: ids
    solution: q5/low_activity.py
    hints: [Count distinct sessions per merchant.]
    explanation: Distinct sessions, because some were delivered twice.
    mistakes:
      - id: missed_silent_merchants
        when: {missing_rows: true}
        message: Some low-activity merchants are missing.
  - id: q1.metric_owners
    title: Which team owns each metric
    notebook: check-fail
    question_type: framing
    audience: both
    answer: mapping
    solution: q1/metric_owners.py
    hints: [Revenue metrics belong to the AM.]
    explanation: NPS and logins are CSM signals; ARR is the AM's.
    mistakes:
      - id: nps_to_am
        when:
          differs: {column: nps, got: am}
        message: NPS is a customer-health signal, which the CSM owns.
  - id: q3.active_arr
    title: Total active ARR
    notebook: check-fail
    question_type: business_case
    audience: am
    answer: number
    solution: q3/active_arr.py
    compare:
      tolerance: 0.5
    hints: [Sum arr_value over active contracts.]
    explanation: Only active contracts are in force.
  - id: q4.audience
    title: Who is the health-score explanation for
    notebook: check-fail
    question_type: stakeholder
    audience: both
    answer: choice
    choices: [am, csm]
    solution: q4/audience.py
    hints: ["Who cares about usage?"]
    explanation: The CSM owns adoption.
    mistakes:
      - id: chose_am
        when: {got: am}
        message: The AM cares about revenue, not the health-score method.
"""

SOLUTIONS = {
    "q2/top_arr.sql": TOP_ARR_SQL,
    "q2/retail_segments.py": RETAIL_PY,
    "q5/low_activity.py": LOW_ACTIVITY_PY,
    "q1/metric_owners.py": OWNERS_PY,
    "q3/active_arr.py": ACTIVE_ARR_PY,
    "q4/audience.py": AUDIENCE_PY,
}


def write_dataset(path: Path, *, extra_merchants: int = 0) -> Path:
    """Write the fixture dataset to ``path`` through a temporary file and rename.

    ``extra_merchants`` adds merchants without contracts, so a rebuilt file
    has other data than the first one.
    """
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    connection = duckdb.connect(str(temporary))
    try:
        connection.execute(SCHEMA.read_text(encoding="utf-8"))
        connection.execute(f"CREATE MACRO as_of_date() AS DATE '{AS_OF}'")
        _insert_rows(connection, extra_merchants)
    finally:
        connection.close()
    os.replace(temporary, path)
    return path


def _insert_rows(connection, extra_merchants: int) -> None:
    merchants = MERCHANTS + [
        (100 + number, "smb", "retail") for number in range(extra_merchants)
    ]
    for merchant_id, segment, industry in merchants:
        connection.execute(
            "INSERT INTO merchants VALUES (?, ?, ?, ?, 'emea', 'growth', 10, "
            "DATE '2024-01-01', 'Ann Manager', 'Cal Success')",
            [merchant_id, f"Merchant {merchant_id}", segment, industry],
        )
    for contract_id, merchant_id, product, arr, renewal, status in CONTRACTS:
        connection.execute(
            "INSERT INTO merchant_contracts VALUES (?, ?, ?, 'growth', ?, 10, "
            "DATE '2025-06-01', DATE '2025-06-01', ?, ?, NULL, 1)",
            [contract_id, merchant_id, product, arr, renewal, status],
        )
    session_id = 1000
    for merchant_id, (recent, prior) in SESSION_COUNTS.items():
        for count, first_day in ((recent, 1), (prior, 31)):
            for offset in range(count):
                day = AS_OF - dt.timedelta(days=first_day + offset % 29)
                connection.execute(
                    "INSERT INTO merchant_sessions VALUES "
                    "(?, ?, 1, ?, ?, 300, 'web', '2026.06')",
                    [session_id, merchant_id, day, dt.datetime.combine(day, dt.time())],
                )
                session_id += 1
    # Merchant 2's latest session delivered twice.
    connection.execute(
        "INSERT INTO merchant_sessions SELECT * FROM merchant_sessions "
        "WHERE merchant_id = 2 ORDER BY session_date DESC LIMIT 1"
    )
    connection.execute(
        "INSERT INTO dataset_info VALUES (0, ?, ?, 60, 'fixture')",
        [len(merchants), AS_OF],
    )


def write_project(
    root: Path, registry: str = REGISTRY, dataset: Path | None = None
) -> Path:
    """Lay out a fixture project under ``root``: registry, solutions and data.

    ``dataset`` is a fixture dataset file to copy, which is faster than
    writing a new one.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "exercises.yaml").write_text(textwrap.dedent(registry), encoding="utf-8")
    for name, text in SOLUTIONS.items():
        target = root / "solutions" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (root / "data").mkdir(exist_ok=True)
    if dataset is None:
        write_dataset(root / "data" / "merchants.duckdb")
    else:
        shutil.copyfile(dataset, root / "data" / "merchants.duckdb")
    (root / "notebooks").mkdir(exist_ok=True)
    (root / "workspace").mkdir(exist_ok=True)
    return root


def project_environment(root: Path) -> dict[str, str]:
    """Return the environment variables that point the kit at a fixture project."""
    return {
        "KIT_PROJECT": str(root),
        "KIT_REGISTRY": str(root / "exercises.yaml"),
        "KIT_DB": str(root / "data" / "merchants.duckdb"),
        "KIT_PROGRESS": str(root / "progress.json"),
        "KIT_WORKSPACE": str(root / "workspace"),
    }
