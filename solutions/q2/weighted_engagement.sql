-- Session frequency and feature breadth, each as a share of the merchant's own
-- prior window capped at 100, blended 60/40 for the top 100 merchants by ARR.
WITH active_arr AS (
    SELECT merchant_id, SUM(arr_value) AS total_arr
    FROM merchant_contracts
    WHERE contract_status = 'active'
    GROUP BY merchant_id
    QUALIFY RANK() OVER (ORDER BY SUM(arr_value) DESC) <= 100
),
sessions AS (
    SELECT
        merchant_id,
        COUNT(DISTINCT session_id) FILTER (WHERE session_date >= as_of_date() - 30)
            AS last_30d,
        COUNT(DISTINCT session_id) FILTER (WHERE session_date < as_of_date() - 30)
            AS prior_30d
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 60 AND session_date < as_of_date()
    GROUP BY merchant_id
),
features AS (
    SELECT
        merchant_id,
        COUNT(DISTINCT feature_name) FILTER (WHERE usage_date >= as_of_date() - 30)
            AS last_30d,
        COUNT(DISTINCT feature_name) FILTER (WHERE usage_date < as_of_date() - 30)
            AS prior_30d
    FROM merchant_features
    WHERE usage_date >= as_of_date() - 60 AND usage_date < as_of_date()
    GROUP BY merchant_id
),
scores AS (
    SELECT
        a.merchant_id,
        LEAST(100, 100.0 * COALESCE(s.last_30d, 0) / NULLIF(s.prior_30d, 0))
            AS session_score,
        LEAST(100, 100.0 * COALESCE(f.last_30d, 0) / NULLIF(f.prior_30d, 0))
            AS feature_score
    FROM active_arr AS a
    LEFT JOIN sessions AS s ON s.merchant_id = a.merchant_id
    LEFT JOIN features AS f ON f.merchant_id = a.merchant_id
)
SELECT
    merchant_id,
    ROUND(session_score, 2) AS session_score,
    ROUND(feature_score, 2) AS feature_score,
    ROUND(0.6 * session_score + 0.4 * feature_score, 1) AS engagement_score
FROM scores
ORDER BY engagement_score ASC NULLS FIRST, merchant_id
