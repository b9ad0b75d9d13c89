-- expect: correct
-- Redshift: DATEADD, NVL, a decimal cast so that the change is not an
-- integer division, and QUALIFY on the rank.
WITH active_arr AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr, MIN(renewal_date) AS renewal_date
    FROM merchant_contracts
    WHERE contract_status = 'active'
    GROUP BY merchant_id
),
session_counts AS (
    SELECT
        merchant_id,
        COUNT(DISTINCT CASE WHEN session_date >= DATEADD(day, -30, as_of_date())
                            THEN session_id END) AS sessions_last_30d,
        COUNT(DISTINCT CASE WHEN session_date < DATEADD(day, -30, as_of_date())
                            THEN session_id END) AS sessions_prior_30d
    FROM merchant_sessions
    WHERE session_date >= DATEADD(day, -60, as_of_date())
      AND session_date < as_of_date()
    GROUP BY merchant_id
),
feature_counts AS (
    SELECT merchant_id, COUNT(DISTINCT feature_name) AS features_used_last_30d
    FROM merchant_features
    WHERE usage_date >= DATEADD(day, -30, as_of_date())
      AND usage_date < as_of_date()
    GROUP BY merchant_id
)
SELECT
    a.merchant_id,
    a.total_arr,
    a.renewal_date,
    NVL(s.sessions_last_30d, 0) AS sessions_last_30d,
    NVL(s.sessions_prior_30d, 0) AS sessions_prior_30d,
    ROUND((NVL(s.sessions_last_30d, 0) - s.sessions_prior_30d)::DECIMAL(12, 4) * 100
          / NULLIF(s.sessions_prior_30d, 0), 2) AS session_change_pct,
    NVL(f.features_used_last_30d, 0) AS features_used_last_30d,
    RANK() OVER (ORDER BY a.total_arr DESC) AS arr_rank,
    CASE
        WHEN s.sessions_prior_30d IS NULL OR s.sessions_prior_30d = 0 THEN 'No Baseline'
        WHEN ROUND((NVL(s.sessions_last_30d, 0) - s.sessions_prior_30d)::DECIMAL(12, 4) * 100
                   / s.sessions_prior_30d, 2) < -40 THEN 'High Risk'
        WHEN ROUND((NVL(s.sessions_last_30d, 0) - s.sessions_prior_30d)::DECIMAL(12, 4) * 100
                   / s.sessions_prior_30d, 2) <= -15 THEN 'Medium Risk'
        ELSE 'Healthy'
    END AS health_flag
FROM active_arr AS a
LEFT JOIN session_counts AS s ON s.merchant_id = a.merchant_id
LEFT JOIN feature_counts AS f ON f.merchant_id = a.merchant_id
QUALIFY arr_rank <= 100
ORDER BY a.total_arr DESC, session_change_pct ASC NULLS LAST;
