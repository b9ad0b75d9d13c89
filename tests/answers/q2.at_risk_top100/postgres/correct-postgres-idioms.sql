-- expect: correct
-- PostgreSQL: aggregate FILTER, a date minus an integer, and a numeric cast so
-- that the change is not an integer division.
WITH active_arr AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr, MIN(renewal_date) AS renewal_date
    FROM merchant_contracts
    WHERE contract_status = 'active'
    GROUP BY merchant_id
),
session_counts AS (
    SELECT
        merchant_id,
        COUNT(DISTINCT session_id) FILTER (WHERE session_date >= as_of_date() - 30)
            AS sessions_last_30d,
        COUNT(DISTINCT session_id) FILTER (WHERE session_date < as_of_date() - 30)
            AS sessions_prior_30d
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 60 AND session_date < as_of_date()
    GROUP BY merchant_id
),
feature_counts AS (
    SELECT merchant_id, COUNT(DISTINCT feature_name) AS features_used_last_30d
    FROM merchant_features
    WHERE usage_date >= as_of_date() - 30 AND usage_date < as_of_date()
    GROUP BY merchant_id
),
ranked AS (
    SELECT
        a.merchant_id,
        a.total_arr,
        a.renewal_date,
        COALESCE(s.sessions_last_30d, 0) AS sessions_last_30d,
        COALESCE(s.sessions_prior_30d, 0) AS sessions_prior_30d,
        ROUND(
            (COALESCE(s.sessions_last_30d, 0) - s.sessions_prior_30d)::numeric * 100
            / NULLIF(s.sessions_prior_30d, 0),
            2
        ) AS session_change_pct,
        COALESCE(f.features_used_last_30d, 0) AS features_used_last_30d,
        RANK() OVER (ORDER BY a.total_arr DESC) AS arr_rank
    FROM active_arr AS a
    LEFT JOIN session_counts AS s USING (merchant_id)
    LEFT JOIN feature_counts AS f USING (merchant_id)
)
SELECT
    ranked.*,
    CASE
        WHEN session_change_pct IS NULL THEN 'No Baseline'
        WHEN session_change_pct < -40 THEN 'High Risk'
        WHEN session_change_pct BETWEEN -40 AND -15 THEN 'Medium Risk'
        ELSE 'Healthy'
    END AS health_flag
FROM ranked
WHERE arr_rank <= 100
ORDER BY total_arr DESC, session_change_pct ASC NULLS LAST;
