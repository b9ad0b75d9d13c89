-- expect: addons_included
-- Takes every product's renewals, add-ons included.
SELECT
    c.contract_id,
    c.merchant_id,
    c.renewal_date,
    CAST(c.renewal_date - 90 AS DATE) AS point_date,
    EXISTS (
        SELECT 1 FROM merchant_contracts n
        WHERE n.merchant_id = c.merchant_id
            AND n.product = c.product
            AND n.start_date = c.renewal_date
    ) AS renewed
FROM merchant_contracts c
WHERE c.contract_status = 'expired'
    AND c.renewal_date >= as_of_date() - 210
    AND c.renewal_date < as_of_date()
