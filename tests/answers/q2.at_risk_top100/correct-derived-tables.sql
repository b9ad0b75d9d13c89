-- expect: correct
-- Derived tables instead of CTEs, correlated counts, and DOUBLE arithmetic.
SELECT *
FROM (
    SELECT
        t.*,
        RANK() OVER (ORDER BY t.total_arr DESC) AS arr_rank,
        CASE
            WHEN t.session_change_pct IS NULL THEN 'No Baseline'
            WHEN t.session_change_pct < -40 THEN 'High Risk'
            WHEN t.session_change_pct >= -40 AND t.session_change_pct <= -15 THEN 'Medium Risk'
            ELSE 'Healthy'
        END AS health_flag
    FROM (
        SELECT
            base.*,
            ROUND(CAST(base.sessions_last_30d - base.sessions_prior_30d AS DOUBLE)
                  / NULLIF(base.sessions_prior_30d, 0) * 100, 2) AS session_change_pct
        FROM (
            SELECT
                mc.merchant_id,
                SUM(mc.arr_value) AS total_arr,
                MIN(mc.renewal_date) AS renewal_date,
                (SELECT COUNT(DISTINCT ms.session_id) FROM merchant_sessions ms
                  WHERE ms.merchant_id = mc.merchant_id
                    AND ms.session_date >= as_of_date() - 30
                    AND ms.session_date < as_of_date()) AS sessions_last_30d,
                (SELECT COUNT(DISTINCT ms.session_id) FROM merchant_sessions ms
                  WHERE ms.merchant_id = mc.merchant_id
                    AND ms.session_date >= as_of_date() - 60
                    AND ms.session_date < as_of_date() - 30) AS sessions_prior_30d,
                (SELECT COUNT(DISTINCT mf.feature_name) FROM merchant_features mf
                  WHERE mf.merchant_id = mc.merchant_id
                    AND mf.usage_date >= as_of_date() - 30
                    AND mf.usage_date < as_of_date()) AS features_used_last_30d
            FROM merchant_contracts mc
            WHERE mc.contract_status = 'active'
            GROUP BY mc.merchant_id
        ) AS base
    ) AS t
) AS ranked
WHERE arr_rank <= 100
ORDER BY total_arr DESC, session_change_pct NULLS LAST
