renewal_history_sql = """
SELECT
    c.contract_id,
    c.merchant_id,
    c.renewal_date,
    CAST(c.renewal_date - 90 AS DATE) AS point_date,
    EXISTS (
        SELECT 1
        FROM merchant_contracts successor
        WHERE successor.merchant_id = c.merchant_id
            AND successor.product = c.product
            AND successor.start_date = c.renewal_date
    ) AS renewed
FROM merchant_contracts c
WHERE c.product = 'payments'
    AND c.contract_status = 'expired'
    AND c.renewal_date >= as_of_date() - 210
    AND c.renewal_date < as_of_date()
ORDER BY c.contract_id
"""
answer = renewal_history_sql
