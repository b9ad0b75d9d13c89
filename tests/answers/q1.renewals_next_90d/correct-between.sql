-- expect: correct
-- BETWEEN with an inclusive upper bound one day earlier, and no join order.
SELECT c.contract_id, c.merchant_id, m.merchant_name, c.product, c.arr_value,
       c.renewal_date, date_diff('day', as_of_date(), c.renewal_date) AS days_to_renewal
FROM merchants m, merchant_contracts c
WHERE m.merchant_id = c.merchant_id
  AND c.contract_status = 'active'
  AND c.renewal_date BETWEEN as_of_date() AND as_of_date() + 89
