"""The capstone query (q2.at_risk_top100) and its common mistakes, as SQL text.

REFERENCE follows the article's structure with its bugs fixed. Each variant
makes one mistake by replacing one fragment of REFERENCE, and names the SQL
trap in the dataset that must make the mistake visible.
"""

from dataclasses import dataclass

REFERENCE = """
WITH merchant_arr AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr, MIN(renewal_date) AS renewal_date
    FROM merchant_contracts
    WHERE contract_status = 'active'
    GROUP BY merchant_id
),
recent_sessions AS (
    SELECT merchant_id, COUNT(DISTINCT session_id) AS sessions_last_30d
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 30 AND session_date < as_of_date()
    GROUP BY merchant_id
),
prior_sessions AS (
    SELECT merchant_id, COUNT(DISTINCT session_id) AS sessions_prior_30d
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 60 AND session_date < as_of_date() - 30
    GROUP BY merchant_id
),
feature_usage AS (
    SELECT merchant_id, COUNT(DISTINCT feature_name) AS features_used_last_30d
    FROM merchant_features
    WHERE usage_date >= as_of_date() - 30 AND usage_date < as_of_date()
    GROUP BY merchant_id
),
health_combined AS (
    SELECT
        a.merchant_id,
        a.total_arr,
        a.renewal_date,
        COALESCE(r.sessions_last_30d, 0) AS sessions_last_30d,
        COALESCE(p.sessions_prior_30d, 0) AS sessions_prior_30d,
        COALESCE(f.features_used_last_30d, 0) AS features_used_last_30d,
        ROUND(
            (COALESCE(r.sessions_last_30d, 0) - p.sessions_prior_30d) * 100.0
            / NULLIF(p.sessions_prior_30d, 0),
            2
        ) AS session_change_pct,
        RANK() OVER (ORDER BY a.total_arr DESC) AS arr_rank
    FROM merchant_arr a
    LEFT JOIN recent_sessions r ON a.merchant_id = r.merchant_id
    LEFT JOIN prior_sessions p ON a.merchant_id = p.merchant_id
    LEFT JOIN feature_usage f ON a.merchant_id = f.merchant_id
)
SELECT
    merchant_id,
    total_arr,
    renewal_date,
    sessions_last_30d,
    sessions_prior_30d,
    session_change_pct,
    features_used_last_30d,
    arr_rank,
    CASE
        WHEN session_change_pct IS NULL THEN 'No Baseline'
        WHEN session_change_pct < -40 THEN 'High Risk'
        WHEN session_change_pct BETWEEN -40 AND -15 THEN 'Medium Risk'
        ELSE 'Healthy'
    END AS health_flag
FROM health_combined
WHERE arr_rank <= 100
ORDER BY total_arr DESC, session_change_pct ASC NULLS LAST
"""


@dataclass(frozen=True)
class Variant:
    """REFERENCE with one mistake: ``old`` replaced by ``new``."""

    name: str
    trap: str
    old: str
    new: str

    @property
    def sql(self) -> str:
        count = REFERENCE.count(self.old)
        if count != 1:
            raise ValueError(f"variant {self.name}: fragment found {count} times")
        return REFERENCE.replace(self.old, self.new)


LAST_WINDOW = "WHERE session_date >= as_of_date() - 30 AND session_date < as_of_date()"
PRIOR_WINDOW = (
    "WHERE session_date >= as_of_date() - 60 AND session_date < as_of_date() - 30"
)
ORDER = "ORDER BY total_arr DESC, session_change_pct ASC NULLS LAST"
MEDIUM = "WHEN session_change_pct BETWEEN -40 AND -15 THEN 'Medium Risk'"

VARIANTS = (
    Variant(
        "group_by_renewal_date",
        "several_active_contracts",
        "MIN(renewal_date) AS renewal_date\n    FROM merchant_contracts\n"
        "    WHERE contract_status = 'active'\n    GROUP BY merchant_id",
        "renewal_date\n    FROM merchant_contracts\n"
        "    WHERE contract_status = 'active'\n    GROUP BY merchant_id, renewal_date",
    ),
    Variant(
        "no_status_filter",
        "inactive_contracts",
        "    WHERE contract_status = 'active'\n",
        "",
    ),
    Variant(
        "count_star",
        "duplicate_sessions",
        "COUNT(DISTINCT session_id) AS sessions_last_30d",
        "COUNT(*) AS sessions_last_30d",
    ),
    Variant(
        "count_star_prior",
        "duplicate_sessions",
        "COUNT(DISTINCT session_id) AS sessions_prior_30d",
        "COUNT(*) AS sessions_prior_30d",
    ),
    Variant("row_number", "arr_tie_at_cutoff", "RANK() OVER", "ROW_NUMBER() OVER"),
    Variant("dense_rank", "arr_tie_at_cutoff", "RANK() OVER", "DENSE_RANK() OVER"),
    Variant(
        "limit_100",
        "arr_tie_at_cutoff",
        f"WHERE arr_rank <= 100\n{ORDER}",
        f"{ORDER}\nLIMIT 100",
    ),
    Variant(
        "last_window_strict_start",
        "window_boundary_sessions",
        LAST_WINDOW,
        LAST_WINDOW.replace(">=", ">"),
    ),
    Variant(
        "prior_window_strict_start",
        "window_boundary_sessions",
        PRIOR_WINDOW,
        PRIOR_WINDOW.replace(">=", ">"),
    ),
    Variant(
        "prior_window_through_boundary",
        "window_boundary_sessions",
        PRIOR_WINDOW,
        PRIOR_WINDOW.replace("< as_of_date() - 30", "<= as_of_date() - 30"),
    ),
    Variant(
        "inner_join_recent",
        "gone_dark",
        "LEFT JOIN recent_sessions r",
        "JOIN recent_sessions r",
    ),
    Variant(
        "left_join_where_session_side",
        "gone_dark",
        "LEFT JOIN feature_usage f ON a.merchant_id = f.merchant_id\n",
        "LEFT JOIN feature_usage f ON a.merchant_id = f.merchant_id\n"
        "    WHERE r.sessions_last_30d > 0\n",
    ),
    Variant(
        "inner_join_prior",
        "no_baseline",
        "LEFT JOIN prior_sessions p",
        "JOIN prior_sessions p",
    ),
    Variant(
        "case_without_null_branch",
        "no_baseline",
        "        WHEN session_change_pct IS NULL THEN 'No Baseline'\n",
        "",
    ),
    Variant(
        "high_risk_inclusive",
        "exact_risk_bounds",
        "WHEN session_change_pct < -40 THEN",
        "WHEN session_change_pct <= -40 THEN",
    ),
    Variant(
        "medium_exclusive_bounds",
        "exact_risk_bounds",
        MEDIUM,
        "WHEN session_change_pct > -40 AND session_change_pct < -15 THEN 'Medium Risk'",
    ),
)
