-- expect: crm_end_date_only
-- Trusts the CRM: champions whose end_date falls in the last 90 days.
SELECT
    c.merchant_id,
    c.contact_id,
    MAX(s.session_date) AS last_session_date,
    (
        SELECT COUNT(DISTINCT o.contact_id) FROM merchant_sessions o
        WHERE o.merchant_id = c.merchant_id
            AND o.contact_id <> c.contact_id
            AND o.session_date >= as_of_date() - 28
    ) AS other_active_users
FROM contacts c
JOIN merchant_sessions s USING (contact_id)
WHERE c.is_key_contact
    AND c.end_date >= as_of_date() - 90
    AND c.end_date < as_of_date()
GROUP BY c.merchant_id, c.contact_id
