-- The CSM's early-warning view, one row per merchant under contract, over the
-- last 30 days. A meaningful session is a feature event (a core action such
-- as creating a payment link), not a login.
WITH customers AS (
    SELECT DISTINCT merchant_id
    FROM merchant_contracts
    WHERE contract_status = 'active'
),
window_sessions AS (
    SELECT merchant_id, contact_id, session_id, session_date
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 30 AND session_date < as_of_date()
),
usage AS (
    SELECT
        merchant_id,
        COUNT(DISTINCT contact_id) AS active_users,
        COUNT(DISTINCT session_id) AS sessions
    FROM window_sessions
    GROUP BY merchant_id
),
daily_active AS (
    -- Days without any session count as 0, so build a merchant x day spine.
    SELECT c.merchant_id, d.day, COUNT(DISTINCT s.contact_id) AS users
    FROM customers AS c
    CROSS JOIN (
        SELECT CAST(day AS DATE) AS day
        FROM range(as_of_date() - 30, as_of_date(), INTERVAL 1 DAY) AS t (day)
    ) AS d
    LEFT JOIN window_sessions AS s
        ON s.merchant_id = c.merchant_id AND s.session_date = d.day
    GROUP BY c.merchant_id, d.day
),
stickiness AS (
    SELECT merchant_id, AVG(users) AS average_dau
    FROM daily_active
    GROUP BY merchant_id
),
feature_users AS (
    SELECT merchant_id, COUNT(DISTINCT contact_id) AS users
    FROM merchant_features
    WHERE usage_date >= as_of_date() - 30 AND usage_date < as_of_date()
    GROUP BY merchant_id
),
last_action AS (
    SELECT merchant_id, MAX(usage_date) AS last_usage_date
    FROM merchant_features
    WHERE usage_date < as_of_date()
    GROUP BY merchant_id
),
tickets AS (
    SELECT merchant_id, COUNT(*) AS open_tickets
    FROM support_tickets
    WHERE status = 'open'
    GROUP BY merchant_id
),
latest_nps AS (
    SELECT merchant_id, score AS latest_nps
    FROM nps_responses
    QUALIFY ROW_NUMBER() OVER (
        PARTITION BY merchant_id ORDER BY response_date DESC, response_id DESC
    ) = 1
)
SELECT
    c.merchant_id,
    COALESCE(u.active_users, 0) AS active_users,
    ROUND(u.sessions / u.active_users, 2) AS logins_per_active_user,
    ROUND(COALESCE(f.users, 0) / u.active_users, 3) AS feature_adoption_rate,
    as_of_date() - a.last_usage_date AS days_since_last_meaningful_session,
    ROUND(st.average_dau / u.active_users, 3) AS dau_mau,
    COALESCE(t.open_tickets, 0) AS open_tickets,
    n.latest_nps
FROM customers AS c
LEFT JOIN usage AS u ON u.merchant_id = c.merchant_id
LEFT JOIN stickiness AS st ON st.merchant_id = c.merchant_id
LEFT JOIN feature_users AS f ON f.merchant_id = c.merchant_id
LEFT JOIN last_action AS a ON a.merchant_id = c.merchant_id
LEFT JOIN tickets AS t ON t.merchant_id = c.merchant_id
LEFT JOIN latest_nps AS n ON n.merchant_id = c.merchant_id
ORDER BY c.merchant_id
