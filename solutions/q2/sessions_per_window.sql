-- Distinct sessions per merchant in the last 30 days and the 30 days before,
-- with every merchant listed, so a merchant without sessions shows 0.
WITH last_window AS (
    SELECT merchant_id, COUNT(DISTINCT session_id) AS sessions
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 30
      AND session_date < as_of_date()
    GROUP BY merchant_id
),
prior_window AS (
    SELECT merchant_id, COUNT(DISTINCT session_id) AS sessions
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 60
      AND session_date < as_of_date() - 30
    GROUP BY merchant_id
)
SELECT
    m.merchant_id,
    COALESCE(l.sessions, 0) AS sessions_last_30d,
    COALESCE(p.sessions, 0) AS sessions_prior_30d
FROM merchants AS m
LEFT JOIN last_window AS l ON l.merchant_id = m.merchant_id
LEFT JOIN prior_window AS p ON p.merchant_id = m.merchant_id
ORDER BY m.merchant_id
