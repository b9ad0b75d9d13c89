-- Raw counts behind the usage score: one row per current customer (a
-- merchant with an active contract) and reading. Reading k is taken on
-- as_of_date() - 7 * k. Its window is the 28 days before the reading day,
-- and its baseline the 84 days before the window, counted as three 28-day
-- blocks. Weeks are numbered back from the as-of date: week 0 is
-- [as_of_date() - 7, as_of_date()), so reading k's window is weeks k to k + 3
-- and its baseline weeks k + 4 to k + 15.
--
-- The session and feature-event relations are named by the caller;
-- $readings is the number of readings, $event_names the feature event names
-- the score counts. Events named in $leave_out are not counted when they
-- come from $leave_out_platform, or from any platform when it is NULL.
-- The CTE repair_weeks contains events added per merchant and week: those
-- that kit/usage_score_repair.sql imputes for a broken tracking event, or none.
--
-- A baseline counts only the weeks that lie wholly inside the history
-- (dataset_info.history_days), per 28 days of them, and its users average
-- the 28-day blocks inside it. With fewer than two such blocks the reading
-- has no baseline (NULL), and so no score.
WITH readings AS (
    SELECT
        range AS reading,
        (SELECT history_days FROM dataset_info) // 7 - 1 AS last_week
    FROM range(0, $readings)
),
coverage AS (
    -- Baseline weeks and 28-day blocks of each reading inside the history.
    SELECT
        reading,
        last_week,
        GREATEST(0, LEAST(reading + 15, last_week) - (reading + 4) + 1)
            AS baseline_weeks,
        (last_week >= reading + 7)::INTEGER
            + (last_week >= reading + 11)::INTEGER
            + (last_week >= reading + 15)::INTEGER AS baseline_blocks
    FROM readings
),
customers AS (
    SELECT DISTINCT merchant_id
    FROM merchant_contracts
    WHERE contract_status = 'active'
),
session_weeks AS (
    -- A session the pipeline delivered twice counts once.
    SELECT
        merchant_id,
        contact_id,
        (as_of_date() - 1 - session_date) // 7 AS week,
        COUNT(DISTINCT session_id) AS sessions
    FROM {sessions}
    WHERE session_date < as_of_date()
        AND session_date >= as_of_date() - 7 * ($readings + 15)
    GROUP BY ALL
),
{repair},
event_weeks AS (
    SELECT
        merchant_id,
        (as_of_date() - 1 - usage_date) // 7 AS week,
        COUNT(*) AS events
    FROM {features}
    WHERE list_contains($event_names, feature_name)
        AND NOT (
            list_contains($leave_out, feature_name)
            AND platform = COALESCE($leave_out_platform, platform)
        )
        AND usage_date < as_of_date()
        AND usage_date >= as_of_date() - 7 * ($readings + 15)
    GROUP BY ALL
    UNION ALL
    SELECT merchant_id, week, events FROM repair_weeks
),
session_counts AS (
    SELECT
        c.merchant_id,
        r.reading,
        COALESCE(SUM(s.sessions) FILTER (WHERE s.week < r.reading + 4), 0)
            AS sessions_window,
        COALESCE(
            SUM(s.sessions) FILTER (
                WHERE s.week >= r.reading + 4 AND s.week <= r.last_week
            ),
            0
        ) * 4.0 / NULLIF(r.baseline_weeks, 0) AS sessions_baseline,
        COUNT(DISTINCT s.contact_id) FILTER (WHERE s.week < r.reading + 4)
            AS users_window,
        (
            COUNT(DISTINCT s.contact_id) FILTER (
                WHERE s.week >= r.reading + 4 AND s.week < r.reading + 8
                    AND r.last_week >= r.reading + 7
            )
            + COUNT(DISTINCT s.contact_id) FILTER (
                WHERE s.week >= r.reading + 8 AND s.week < r.reading + 12
                    AND r.last_week >= r.reading + 11
            )
            + COUNT(DISTINCT s.contact_id) FILTER (
                WHERE s.week >= r.reading + 12 AND r.last_week >= r.reading + 15
            )
        ) / NULLIF(r.baseline_blocks, 0) AS users_baseline,
        r.baseline_blocks
    FROM customers c
    CROSS JOIN coverage r
    LEFT JOIN session_weeks s
        ON s.merchant_id = c.merchant_id
        AND s.week >= r.reading
        AND s.week < r.reading + 16
    GROUP BY c.merchant_id, r.reading, r.last_week, r.baseline_weeks,
        r.baseline_blocks
),
event_counts AS (
    SELECT
        c.merchant_id,
        r.reading,
        COALESCE(SUM(e.events) FILTER (WHERE e.week < r.reading + 4), 0)
            AS events_window,
        COALESCE(
            SUM(e.events) FILTER (
                WHERE e.week >= r.reading + 4 AND e.week <= r.last_week
            ),
            0
        ) * 4.0 / NULLIF(r.baseline_weeks, 0) AS events_baseline
    FROM customers c
    CROSS JOIN coverage r
    LEFT JOIN event_weeks e
        ON e.merchant_id = c.merchant_id
        AND e.week >= r.reading
        AND e.week < r.reading + 16
    GROUP BY c.merchant_id, r.reading, r.last_week, r.baseline_weeks
)
SELECT
    s.merchant_id,
    CAST(as_of_date() - CAST(7 * s.reading AS INTEGER) AS DATE) AS reading_date,
    s.sessions_window,
    CASE WHEN s.baseline_blocks >= 2 THEN s.sessions_baseline END
        AS sessions_baseline,
    s.users_window,
    CASE WHEN s.baseline_blocks >= 2 THEN s.users_baseline END AS users_baseline,
    e.events_window,
    CASE WHEN s.baseline_blocks >= 2 THEN e.events_baseline END AS events_baseline
FROM session_counts s
JOIN event_counts e USING (merchant_id, reading)
ORDER BY s.merchant_id, reading_date
