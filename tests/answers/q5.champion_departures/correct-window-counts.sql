-- expect: correct
-- Counts each contact's sessions per window in one pass, then compares.
WITH sessions AS (
    SELECT DISTINCT session_id, merchant_id, contact_id, session_date
    FROM merchant_sessions
),
per_contact AS (
    SELECT
        s.merchant_id,
        s.contact_id,
        c.is_key_contact,
        MAX(s.session_date) AS last_session_date,
        COUNT(*) FILTER (WHERE s.session_date >= as_of_date() - 28) AS recent
    FROM sessions s
    JOIN contacts c USING (contact_id)
    GROUP BY ALL
),
regular AS (
    SELECT p.*
    FROM per_contact p
    WHERE p.is_key_contact
        AND p.recent = 0
        AND p.last_session_date >= as_of_date() - 90
        AND (
            SELECT COUNT(*) FROM sessions s
            WHERE s.contact_id = p.contact_id
                AND s.session_date > p.last_session_date - 60
        ) >= 10
)
SELECT
    r.merchant_id,
    r.contact_id,
    r.last_session_date,
    COUNT(*) FILTER (WHERE o.recent > 0) AS other_active_users
FROM regular r
JOIN per_contact o ON o.merchant_id = r.merchant_id AND o.contact_id <> r.contact_id
WHERE r.merchant_id IN (
    SELECT merchant_id FROM merchant_contracts WHERE contract_status = 'active'
)
GROUP BY ALL
HAVING COUNT(*) FILTER (WHERE o.recent > 0) > 0
