-- expect: correct
-- MySQL: backtick identifiers, DATE_SUB with INTERVAL n DAY, CASE inside
-- COUNT(DISTINCT ...), IFNULL, a division by zero that MySQL makes NULL, and
-- `x IS NULL, x` to sort NULLs last.
WITH active_arr AS (
    SELECT `merchant_id`, SUM(`arr_value`) AS `total_arr`, MIN(`renewal_date`) AS `renewal_date`
    FROM `merchant_contracts`
    WHERE `contract_status` = 'active'
    GROUP BY `merchant_id`
),
session_counts AS (
    SELECT
        merchant_id,
        COUNT(DISTINCT CASE WHEN session_date >= DATE_SUB(as_of_date(), INTERVAL 30 DAY)
                            THEN session_id END) AS sessions_last_30d,
        COUNT(DISTINCT CASE WHEN session_date < DATE_SUB(as_of_date(), INTERVAL 30 DAY)
                            THEN session_id END) AS sessions_prior_30d
    FROM merchant_sessions
    WHERE session_date >= DATE_SUB(as_of_date(), INTERVAL 60 DAY)
      AND session_date < as_of_date()
    GROUP BY merchant_id
),
feature_counts AS (
    SELECT merchant_id, COUNT(DISTINCT feature_name) AS features_used_last_30d
    FROM merchant_features
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
        ROUND((IFNULL(s.sessions_last_30d, 0) - IFNULL(s.sessions_prior_30d, 0)) * 100
              / IFNULL(s.sessions_prior_30d, 0), 2) AS session_change_pct,
        IFNULL(f.features_used_last_30d, 0) AS features_used_last_30d,
        RANK() OVER (ORDER BY a.total_arr DESC) AS arr_rank
    FROM active_arr AS a
    LEFT JOIN session_counts AS s ON s.merchant_id = a.merchant_id
    LEFT JOIN feature_counts AS f ON f.merchant_id = a.merchant_id
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
