-- Events a broken tracking event did not send, imputed per merchant and
-- week, for the usage score's counting query. The broken releases are
-- $repair_version and every release of $repair_platform first seen on or
-- after its first day. Each contact's rate is their $repair_feature events
-- per session of that platform in the 84 days before that day (their
-- merchant's rate when they had no such session), and each of their
-- sessions on a broken release is taken to have sent that many.
repair_start AS (
    SELECT MIN(session_date) AS first_day
    FROM {sessions}
    WHERE platform = $repair_platform AND app_version = $repair_version
),
broken_versions AS (
    SELECT app_version
    FROM {sessions}
    WHERE platform = $repair_platform
    GROUP BY app_version
    HAVING MIN(session_date) >= (SELECT first_day FROM repair_start)
),
platform_sessions AS (
    SELECT DISTINCT session_id, merchant_id, contact_id, session_date, app_version
    FROM {sessions}
    WHERE platform = $repair_platform
),
before_break AS (
    SELECT
        s.merchant_id,
        s.contact_id,
        COUNT(DISTINCT s.session_id) AS sessions,
        COUNT(f.session_id) AS events
    FROM platform_sessions s
    CROSS JOIN repair_start r
    LEFT JOIN {features} f
        ON f.session_id = s.session_id AND f.feature_name = $repair_feature
    WHERE s.session_date >= r.first_day - 84 AND s.session_date < r.first_day
    GROUP BY s.merchant_id, s.contact_id
),
merchant_rates AS (
    SELECT merchant_id, SUM(events) / SUM(sessions) AS events_per_session
    FROM before_break
    GROUP BY merchant_id
),
repair_weeks AS (
    SELECT
        s.merchant_id,
        (as_of_date() - 1 - s.session_date) // 7 AS week,
        SUM(COALESCE(c.events / c.sessions, m.events_per_session)) AS events
    FROM platform_sessions s
    JOIN merchant_rates m USING (merchant_id)
    LEFT JOIN before_break c USING (merchant_id, contact_id)
    WHERE s.app_version IN (SELECT app_version FROM broken_versions)
        AND s.session_date < as_of_date()
        AND s.session_date >= as_of_date() - 7 * ($readings + 15)
    GROUP BY ALL
)
