-- expect: whole_account_quiet
-- Finds silent champions but never checks whether their colleagues carry on.
WITH sessions AS (
    SELECT DISTINCT session_id, merchant_id, contact_id, session_date
    FROM merchant_sessions
),
champions AS (
    SELECT c.merchant_id, c.contact_id, MAX(s.session_date) AS last_session_date
    FROM contacts c
    JOIN sessions s USING (contact_id)
    WHERE c.is_key_contact
    GROUP BY ALL
)
SELECT
    ch.merchant_id,
    ch.contact_id,
    ch.last_session_date,
    COUNT(DISTINCT o.contact_id) AS other_active_users
FROM champions ch
LEFT JOIN sessions o
    ON o.merchant_id = ch.merchant_id
    AND o.contact_id <> ch.contact_id
    AND o.session_date >= as_of_date() - 28
WHERE ch.last_session_date < as_of_date() - 28
    AND ch.last_session_date >= as_of_date() - 90
    AND (
        SELECT COUNT(*) FROM sessions x
        WHERE x.contact_id = ch.contact_id AND x.session_date > ch.last_session_date - 60
    ) >= 10
    AND ch.merchant_id IN (
        SELECT merchant_id FROM merchant_contracts WHERE contract_status = 'active'
    )
GROUP BY ALL
