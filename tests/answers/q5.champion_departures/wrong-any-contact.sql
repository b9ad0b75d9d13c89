-- expect: not_the_champion
-- Looks for any regular user who stopped, not only the champion.
WITH sessions AS (
    SELECT DISTINCT session_id, merchant_id, contact_id, session_date
    FROM merchant_sessions
),
people AS (
    SELECT merchant_id, contact_id, MAX(session_date) AS last_session_date
    FROM sessions
    GROUP BY ALL
)
SELECT
    p.merchant_id,
    p.contact_id,
    p.last_session_date,
    COUNT(DISTINCT s.contact_id) AS other_active_users
FROM people p
JOIN sessions s
    ON s.merchant_id = p.merchant_id
    AND s.contact_id <> p.contact_id
    AND s.session_date >= as_of_date() - 28
WHERE p.last_session_date < as_of_date() - 28
    AND p.last_session_date >= as_of_date() - 90
    AND (
        SELECT COUNT(*) FROM sessions x
        WHERE x.contact_id = p.contact_id AND x.session_date > p.last_session_date - 60
    ) >= 10
GROUP BY ALL
