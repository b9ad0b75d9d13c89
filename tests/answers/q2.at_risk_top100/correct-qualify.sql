-- expect: correct
-- QUALIFY in one query level, different column order and upper-case names.
WITH s AS (
    SELECT merchant_id,
           COUNT(DISTINCT CASE WHEN session_date >= as_of_date() - 30 THEN session_id END) AS last_n,
           COUNT(DISTINCT CASE WHEN session_date < as_of_date() - 30 THEN session_id END) AS prior_n
    FROM merchant_sessions
    WHERE session_date BETWEEN as_of_date() - 60 AND as_of_date() - 1
    GROUP BY merchant_id
), f AS (
    SELECT merchant_id, COUNT(DISTINCT feature_name) AS n
    FROM merchant_features
    WHERE usage_date BETWEEN as_of_date() - 30 AND as_of_date() - 1
    GROUP BY merchant_id
), c AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr, MIN(renewal_date) AS renewal_date
    FROM merchant_contracts WHERE contract_status = 'active' GROUP BY merchant_id
)
SELECT
    RANK() OVER (ORDER BY c.total_arr DESC) AS ARR_RANK,
    c.merchant_id AS MERCHANT_ID,
    CASE
        WHEN COALESCE(s.prior_n, 0) = 0 THEN 'No Baseline'
        WHEN ROUND((COALESCE(s.last_n, 0) - s.prior_n) * 100.0 / s.prior_n, 2) < -40 THEN 'High Risk'
        WHEN ROUND((COALESCE(s.last_n, 0) - s.prior_n) * 100.0 / s.prior_n, 2) >= -40
         AND ROUND((COALESCE(s.last_n, 0) - s.prior_n) * 100.0 / s.prior_n, 2) <= -15 THEN 'Medium Risk'
        ELSE 'Healthy'
    END AS HEALTH_FLAG,
    c.total_arr AS TOTAL_ARR,
    c.renewal_date AS RENEWAL_DATE,
    COALESCE(s.last_n, 0) AS SESSIONS_LAST_30D,
    COALESCE(s.prior_n, 0) AS SESSIONS_PRIOR_30D,
    ROUND((COALESCE(s.last_n, 0) - s.prior_n) * 100.0 / NULLIF(s.prior_n, 0), 2) AS SESSION_CHANGE_PCT,
    COALESCE(f.n, 0) AS FEATURES_USED_LAST_30D
FROM c
LEFT JOIN s USING (merchant_id)
LEFT JOIN f USING (merchant_id)
QUALIFY ARR_RANK <= 100
ORDER BY TOTAL_ARR DESC, SESSION_CHANGE_PCT ASC NULLS LAST
