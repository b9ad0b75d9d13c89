-- expect: correct
-- BigQuery: backtick table names, DATE_SUB with INTERVAL n DAY, IF inside
-- COUNT(DISTINCT ...), IFNULL and SAFE_DIVIDE.
WITH active_arr AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr, MIN(renewal_date) AS renewal_date
    FROM `merchant_contracts`
    WHERE contract_status = 'active'
    GROUP BY merchant_id
),
session_counts AS (
    SELECT
        merchant_id,
        COUNT(DISTINCT IF(session_date >= DATE_SUB(as_of_date(), INTERVAL 30 DAY), session_id, NULL))
            AS sessions_last_30d,
        COUNT(DISTINCT IF(session_date < DATE_SUB(as_of_date(), INTERVAL 30 DAY), session_id, NULL))
            AS sessions_prior_30d
    FROM `merchant_sessions`
    WHERE session_date >= DATE_SUB(as_of_date(), INTERVAL 60 DAY)
      AND session_date < as_of_date()
    GROUP BY merchant_id
),
feature_counts AS (
    SELECT merchant_id, COUNT(DISTINCT feature_name) AS features_used_last_30d
    FROM `merchant_features`
    WHERE usage_date >= DATE_SUB(as_of_date(), INTERVAL 30 DAY)
      AND usage_date < as_of_date()
    GROUP BY merchant_id
),
ranked AS (
    SELECT
        a.merchant_id,
        a.total_arr,
        a.renewal_date,
        IFNULL(s.sessions_last_30d, 0) AS sessions_last_30d,
        IFNULL(s.sessions_prior_30d, 0) AS sessions_prior_30d,
        ROUND(SAFE_DIVIDE((IFNULL(s.sessions_last_30d, 0) - s.sessions_prior_30d) * 100,
                          s.sessions_prior_30d), 2) AS session_change_pct,
        IFNULL(f.features_used_last_30d, 0) AS features_used_last_30d,
        RANK() OVER (ORDER BY a.total_arr DESC) AS arr_rank
    FROM active_arr AS a
    LEFT JOIN session_counts AS s USING (merchant_id)
    LEFT JOIN feature_counts AS f USING (merchant_id)
)
SELECT
    *,
    CASE
        WHEN session_change_pct IS NULL THEN 'No Baseline'
        WHEN session_change_pct < -40 THEN 'High Risk'
        WHEN session_change_pct BETWEEN -40 AND -15 THEN 'Medium Risk'
        ELSE 'Healthy'
    END AS health_flag
FROM ranked
WHERE arr_rank <= 100
ORDER BY total_arr DESC, session_change_pct ASC NULLS LAST;
