-- QUALIFY filters on a window function in the same query level, here the
-- rank within each segment. RANK keeps merchants tied at fifth place.
SELECT
    m.segment,
    c.merchant_id,
    SUM(c.arr_value) AS total_arr,
    RANK() OVER (PARTITION BY m.segment ORDER BY SUM(c.arr_value) DESC) AS segment_rank
FROM merchant_contracts AS c
JOIN merchants AS m ON m.merchant_id = c.merchant_id
WHERE c.contract_status = 'active'
GROUP BY m.segment, c.merchant_id
QUALIFY segment_rank <= 5
ORDER BY m.segment, segment_rank, c.merchant_id
