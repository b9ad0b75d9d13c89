-- Active contracts that renew within 90 days of the as-of date: the AM's
-- negotiation calendar, one row per contract because each renews on its own.
SELECT
    c.contract_id,
    c.merchant_id,
    m.merchant_name,
    c.product,
    c.arr_value,
    c.renewal_date,
    c.renewal_date - as_of_date() AS days_to_renewal
FROM merchant_contracts AS c
JOIN merchants AS m ON m.merchant_id = c.merchant_id
WHERE c.contract_status = 'active'
  AND c.renewal_date >= as_of_date()
  AND c.renewal_date < as_of_date() + 90
ORDER BY c.renewal_date, c.contract_id
