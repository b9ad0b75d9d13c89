-- One row per merchant and window, then LAG puts the prior window's count
-- beside the last one. Merchants without sessions in either window are left
-- out, because there is no usage to compare.
WITH windowed AS (
    SELECT
        merchant_id,
        CASE WHEN session_date >= as_of_date() - 30 THEN 2 ELSE 1 END AS window_number,
        COUNT(DISTINCT session_id) AS sessions
    FROM merchant_sessions
    WHERE session_date >= as_of_date() - 60
      AND session_date < as_of_date()
    GROUP BY ALL
),
spine AS (
    SELECT DISTINCT w.merchant_id, v.window_number
    FROM windowed AS w
    CROSS JOIN (VALUES (1), (2)) AS v (window_number)
),
compared AS (
    SELECT
        s.merchant_id,
        s.window_number,
        COALESCE(w.sessions, 0) AS sessions,
        LAG(COALESCE(w.sessions, 0)) OVER (
            PARTITION BY s.merchant_id ORDER BY s.window_number
        ) AS previous_sessions
    FROM spine AS s
    LEFT JOIN windowed AS w
        ON w.merchant_id = s.merchant_id AND w.window_number = s.window_number
),
changes AS (
    SELECT
        merchant_id,
        sessions AS sessions_last_30d,
        previous_sessions AS sessions_prior_30d,
        ROUND(
            (sessions - previous_sessions) * 100.0 / NULLIF(previous_sessions, 0), 2
        ) AS session_change_pct
    FROM compared
    WHERE window_number = 2
)
SELECT *, session_change_pct < -40 AS usage_drop
FROM changes
ORDER BY merchant_id
