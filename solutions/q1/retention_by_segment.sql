-- Net and gross revenue retention over the trailing 12 months, cohort form:
-- the customers paying 12 months before the as-of date, their ARR then and
-- now. New customers are left out; a customer who left and came back counts
-- at its current ARR. GRR caps each customer at its starting ARR.
WITH points AS (
    SELECT CAST(as_of_date() - INTERVAL 12 MONTH AS DATE) AS start_day, as_of_date() AS end_day
),
arr_at AS (
    SELECT
        c.merchant_id,
        SUM(c.arr_value) FILTER (
            WHERE c.start_date <= p.start_day
              AND p.start_day < COALESCE(c.cancelled_date, c.renewal_date)
        ) AS start_arr,
        SUM(c.arr_value) FILTER (
            WHERE c.start_date <= p.end_day
              AND p.end_day < COALESCE(c.cancelled_date, c.renewal_date)
        ) AS end_arr
    FROM merchant_contracts AS c
    CROSS JOIN points AS p
    GROUP BY c.merchant_id
),
cohort AS (
    SELECT
        m.segment,
        a.start_arr,
        COALESCE(a.end_arr, 0) AS end_arr
    FROM arr_at AS a
    JOIN merchants AS m ON m.merchant_id = a.merchant_id
    WHERE a.start_arr > 0
),
by_segment AS (
    SELECT
        COALESCE(segment, 'all') AS segment,
        COUNT(*) AS customers,
        SUM(start_arr) AS start_arr,
        SUM(end_arr) AS end_arr,
        ROUND(100.0 * SUM(end_arr) / SUM(start_arr), 2) AS nrr_pct,
        ROUND(100.0 * SUM(LEAST(end_arr, start_arr)) / SUM(start_arr), 2) AS grr_pct
    FROM cohort
    GROUP BY ROLLUP (segment)
)
SELECT * FROM by_segment
ORDER BY segment = 'all', segment
