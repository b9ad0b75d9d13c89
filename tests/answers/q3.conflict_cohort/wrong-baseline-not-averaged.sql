-- expect: baseline_too_high
-- Takes the 90-day session count as the baseline without dividing by 3.
WITH renewals AS (
    SELECT c.merchant_id, MAX(c.signed_date) AS renewal_signed_date
    FROM merchant_contracts c
    JOIN merchant_contracts earlier
        ON earlier.merchant_id = c.merchant_id
        AND earlier.product = c.product
        AND earlier.renewal_date = c.start_date
    WHERE c.contract_status = 'active'
        AND c.signed_date >= as_of_date() - 90
        AND c.signed_date < as_of_date()
    GROUP BY c.merchant_id
),
usage AS (
    SELECT
        r.merchant_id,
        r.renewal_signed_date,
        COUNT(DISTINCT s.session_id) FILTER (
            WHERE s.session_date >= r.renewal_signed_date - 90
            AND s.session_date < r.renewal_signed_date
        ) AS baseline_sessions,
        COUNT(DISTINCT s.session_id) FILTER (
            WHERE s.session_date >= as_of_date() - 30
            AND s.session_date < as_of_date()
        ) AS recent_sessions
    FROM renewals r
    LEFT JOIN merchant_sessions s ON s.merchant_id = r.merchant_id
    GROUP BY r.merchant_id, r.renewal_signed_date
)
SELECT
    merchant_id,
    renewal_signed_date,
    baseline_sessions,
    recent_sessions,
    100.0 * (recent_sessions - baseline_sessions) / baseline_sessions AS change_pct
FROM usage
WHERE baseline_sessions >= 20
    AND recent_sessions <= 0.5 * baseline_sessions
ORDER BY merchant_id
