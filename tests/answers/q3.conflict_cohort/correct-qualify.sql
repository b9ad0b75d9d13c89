-- expect: correct
-- Picks the latest renewal with QUALIFY and counts each window in a subquery.
WITH latest AS (
    SELECT c.merchant_id, c.signed_date AS renewal_signed_date
    FROM merchant_contracts c
    WHERE c.contract_status = 'active'
        AND c.signed_date BETWEEN as_of_date() - 90 AND as_of_date() - 1
        AND EXISTS (
            SELECT 1 FROM merchant_contracts e
            WHERE e.merchant_id = c.merchant_id
                AND e.product = c.product
                AND e.renewal_date = c.start_date
        )
    QUALIFY ROW_NUMBER() OVER (
        PARTITION BY c.merchant_id ORDER BY c.signed_date DESC
    ) = 1
),
counted AS (
    SELECT
        l.*,
        (
            SELECT COUNT(DISTINCT session_id) FROM merchant_sessions s
            WHERE s.merchant_id = l.merchant_id
                AND s.session_date >= l.renewal_signed_date - 90
                AND s.session_date < l.renewal_signed_date
        ) / 3.0 AS baseline_sessions,
        (
            SELECT COUNT(DISTINCT session_id) FROM merchant_sessions s
            WHERE s.merchant_id = l.merchant_id
                AND s.session_date >= as_of_date() - 30
                AND s.session_date < as_of_date()
        ) AS recent_sessions
    FROM latest l
)
SELECT
    merchant_id,
    renewal_signed_date,
    baseline_sessions,
    recent_sessions,
    (recent_sessions / baseline_sessions - 1) * 100 AS change_pct
FROM counted
WHERE baseline_sessions >= 20 AND recent_sessions * 2 <= baseline_sessions
