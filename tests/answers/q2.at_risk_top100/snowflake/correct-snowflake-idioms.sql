-- expect: correct
-- Snowflake: DATEADD, IFF inside COUNT(DISTINCT ...), NVL, QUALIFY on the
-- rank's alias, and unquoted names, which Snowflake returns upper-cased.
WITH active_arr AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr, MIN(renewal_date) AS renewal_date
    FROM merchant_contracts
    WHERE contract_status = 'active'
    GROUP BY merchant_id
),
session_counts AS (
    SELECT
        merchant_id,
        COUNT(DISTINCT IFF(session_date >= DATEADD(day, -30, as_of_date()), session_id, NULL))
            AS sessions_last_30d,
        COUNT(DISTINCT IFF(session_date < DATEADD(day, -30, as_of_date()), session_id, NULL))
            AS sessions_prior_30d
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
),
combined AS (
    SELECT
        a.merchant_id,
        a.total_arr,
        a.renewal_date,
        NVL(s.sessions_last_30d, 0) AS sessions_last_30d,
        NVL(s.sessions_prior_30d, 0) AS sessions_prior_30d,
        ROUND((NVL(s.sessions_last_30d, 0) - s.sessions_prior_30d) * 100
              / NULLIF(s.sessions_prior_30d, 0), 2) AS session_change_pct,
        NVL(f.features_used_last_30d, 0) AS features_used_last_30d
    FROM active_arr a
    LEFT JOIN session_counts s ON s.merchant_id = a.merchant_id
    LEFT JOIN feature_counts f ON f.merchant_id = a.merchant_id
)
SELECT
    merchant_id, total_arr, renewal_date, sessions_last_30d, sessions_prior_30d,
    session_change_pct, features_used_last_30d,
    RANK() OVER (ORDER BY total_arr DESC) AS arr_rank,
    CASE
        WHEN session_change_pct IS NULL THEN 'No Baseline'
        WHEN session_change_pct < -40 THEN 'High Risk'
        WHEN session_change_pct BETWEEN -40 AND -15 THEN 'Medium Risk'
        ELSE 'Healthy'
    END AS health_flag
FROM combined
QUALIFY arr_rank <= 100
ORDER BY total_arr DESC, session_change_pct ASC NULLS LAST;
