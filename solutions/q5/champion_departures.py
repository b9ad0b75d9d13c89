departure_sql = """
WITH sessions AS (
    SELECT DISTINCT session_id, merchant_id, contact_id, session_date
    FROM merchant_sessions
),
champions AS (
    SELECT c.merchant_id, c.contact_id, MAX(s.session_date) AS last_session_date
    FROM contacts c
    JOIN sessions s USING (contact_id)
    WHERE c.is_key_contact
    GROUP BY c.merchant_id, c.contact_id
),
silent AS (
    -- Regular users before, and no session in the last 28 days: the
    -- window of the latest usage score.
    SELECT ch.*
    FROM champions ch
    WHERE ch.last_session_date < as_of_date() - 28
        AND ch.last_session_date >= as_of_date() - 90
        AND (
            SELECT COUNT(*) FROM sessions s
            WHERE s.contact_id = ch.contact_id
                AND s.session_date > ch.last_session_date - 60
        ) >= 10
        AND EXISTS (
            SELECT 1 FROM merchant_contracts k
            WHERE k.merchant_id = ch.merchant_id AND k.contract_status = 'active'
        )
)
SELECT
    g.merchant_id,
    g.contact_id,
    g.last_session_date,
    COUNT(DISTINCT s.contact_id) AS other_active_users
FROM silent g
JOIN sessions s
    ON s.merchant_id = g.merchant_id
    AND s.contact_id <> g.contact_id
    AND s.session_date >= as_of_date() - 28
GROUP BY g.merchant_id, g.contact_id, g.last_session_date
ORDER BY g.merchant_id
"""
answer = departure_sql
