-- expect: no_status_filter
-- Lists every contract with a renewal date in the window, whatever its status.
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
WHERE c.renewal_date >= as_of_date()
  AND c.renewal_date < as_of_date() + 90
ORDER BY c.renewal_date, c.contract_id
