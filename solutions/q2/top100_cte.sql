-- Rank in a CTE, filter outside it: WHERE runs before window functions, so
-- the rank only exists for filtering one query level up.
WITH active_arr AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr
    FROM merchant_contracts
    WHERE contract_status = 'active'
    GROUP BY merchant_id
),
ranked AS (
    SELECT merchant_id, total_arr, RANK() OVER (ORDER BY total_arr DESC) AS arr_rank
    FROM active_arr
)
SELECT merchant_id, total_arr, arr_rank
FROM ranked
WHERE arr_rank <= 100
ORDER BY arr_rank, merchant_id
