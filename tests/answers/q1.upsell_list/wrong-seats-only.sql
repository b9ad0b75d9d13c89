-- expect: growth_ignored
-- Seat pressure without the growth conditions.
WITH seat_limits AS (
    SELECT merchant_id, MAX(seats) AS seat_limit
    FROM merchant_contracts
    WHERE contract_status = 'active'
    GROUP BY merchant_id
),
usage AS (
    SELECT
        merchant_id,
        COUNT(DISTINCT contact_id) FILTER (WHERE session_date >= as_of_date() - 30)
            AS users_last_30d,
        COUNT(DISTINCT contact_id) FILTER (
            WHERE session_date >= as_of_date() - 120 AND session_date < as_of_date() - 90
        ) AS users_earlier_30d,
        COUNT(DISTINCT session_id) FILTER (WHERE session_date >= as_of_date() - 60)
            AS sessions_last_60d,
        COUNT(DISTINCT session_id) FILTER (WHERE session_date < as_of_date() - 60)
            AS sessions_prior_60d
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 120 AND session_date < as_of_date()
    GROUP BY merchant_id
)
SELECT s.merchant_id
FROM seat_limits AS s
JOIN usage AS u ON u.merchant_id = s.merchant_id
JOIN merchants AS m ON m.merchant_id = s.merchant_id
WHERE m.signup_date <= as_of_date() - 180
  AND u.users_last_30d >= 0.9 * s.seat_limit
  AND u.sessions_prior_60d > 0
ORDER BY s.merchant_id
