-- expect: wrong_release
-- Names the last release that still sent the event, the one before the break.
WITH releases AS (
    SELECT
        platform,
        app_version,
        MIN(session_date) AS first_day,
        COUNT(DISTINCT session_id) AS sessions
    FROM merchant_sessions
    GROUP BY platform, app_version
),
sent AS (
    SELECT platform, app_version, feature_name, COUNT(*) AS events
    FROM merchant_features
    GROUP BY ALL
),
per_session AS (
    SELECT s.platform, s.feature_name, SUM(s.events) / MAX(p.sessions) AS rate
    FROM sent s
    JOIN (SELECT platform, SUM(sessions) AS sessions FROM releases GROUP BY platform) p
        USING (platform)
    GROUP BY ALL
),
silent AS (
    SELECT r.platform, r.first_day, f.feature_name
    FROM releases r
    JOIN per_session f USING (platform)
    LEFT JOIN sent s USING (platform, app_version, feature_name)
    WHERE s.events IS NULL AND r.sessions * f.rate >= 20
    QUALIFY ROW_NUMBER() OVER (PARTITION BY f.feature_name, r.platform ORDER BY r.first_day) = 1
)
SELECT b.feature_name, b.platform, r.app_version, r.first_day AS break_date
FROM silent b
JOIN releases r ON r.platform = b.platform AND r.first_day < b.first_day
QUALIFY ROW_NUMBER() OVER (PARTITION BY b.feature_name, b.platform ORDER BY r.first_day DESC) = 1
