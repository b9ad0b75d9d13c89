-- Revenue under contract on the as-of date, per segment.
SELECT
    m.segment,
    SUM(c.arr_value) AS total_arr,
    COUNT(DISTINCT c.merchant_id) AS merchants
FROM merchant_contracts AS c
JOIN merchants AS m ON m.merchant_id = c.merchant_id
WHERE c.contract_status = 'active'
GROUP BY m.segment
ORDER BY total_arr DESC
