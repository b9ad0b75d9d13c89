-- expect: window_bounds_off_by_one
-- MySQL: INTERVAL n DAY, IFNULL and IS NULL to sort NULLs last.
-- Prior window runs through as_of_date() - 30, so that day counts in both windows.
WITH merchant_arr AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr, MIN(renewal_date) AS renewal_date
    FROM merchant_contracts
    WHERE contract_status = 'active'
    GROUP BY merchant_id
),
recent_sessions AS (
    SELECT merchant_id, COUNT(DISTINCT session_id) AS sessions_last_30d
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - INTERVAL 30 DAY
      AND session_date < as_of_date()
    GROUP BY merchant_id
),
prior_sessions AS (
    SELECT merchant_id, COUNT(DISTINCT session_id) AS sessions_prior_30d
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - INTERVAL 60 DAY
      AND session_date <= as_of_date() - INTERVAL 30 DAY
    GROUP BY merchant_id
),
feature_usage AS (
    SELECT merchant_id, COUNT(DISTINCT feature_name) AS features_used_last_30d
    FROM merchant_features
    WHERE usage_date >= as_of_date() - INTERVAL 30 DAY
      AND usage_date < as_of_date()
    GROUP BY merchant_id
),
health_combined AS (
    SELECT
        a.merchant_id,
        a.total_arr,
        a.renewal_date,
        IFNULL(r.sessions_last_30d, 0) AS sessions_last_30d,
        IFNULL(p.sessions_prior_30d, 0) AS sessions_prior_30d,
        IFNULL(f.features_used_last_30d, 0) AS features_used_last_30d,
        CASE
            WHEN IFNULL(p.sessions_prior_30d, 0) = 0 THEN NULL
            ELSE ROUND(
                (IFNULL(r.sessions_last_30d, 0) - p.sessions_prior_30d) * 100.0
                / p.sessions_prior_30d, 2)
        END AS session_change_pct
    FROM merchant_arr a
    LEFT JOIN recent_sessions r ON a.merchant_id = r.merchant_id
    LEFT JOIN prior_sessions p ON a.merchant_id = p.merchant_id
    LEFT JOIN feature_usage f ON a.merchant_id = f.merchant_id
),
ranked AS (
    SELECT *, RANK() OVER (ORDER BY total_arr DESC) AS arr_rank
    FROM health_combined
)
SELECT
    merchant_id, total_arr, renewal_date, sessions_last_30d, sessions_prior_30d,
    session_change_pct, features_used_last_30d, arr_rank,
    CASE
        WHEN session_change_pct IS NULL THEN 'No Baseline'
        WHEN session_change_pct < -40 THEN 'High Risk'
        WHEN session_change_pct BETWEEN -40 AND -15 THEN 'Medium Risk'
        ELSE 'Healthy'
    END AS health_flag
FROM ranked
WHERE arr_rank <= 100
ORDER BY total_arr DESC, session_change_pct IS NULL, session_change_pct;
