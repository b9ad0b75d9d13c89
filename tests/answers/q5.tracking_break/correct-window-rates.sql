-- expect: correct
-- Builds a release x feature grid per platform and takes each feature's
-- usual rate with window sums over the platform's releases.
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
grid AS (
    SELECT r.*, f.feature_name, COALESCE(s.events, 0) AS events
    FROM releases r
    JOIN (SELECT DISTINCT platform, feature_name FROM sent) f USING (platform)
    LEFT JOIN sent s USING (platform, app_version, feature_name)
),
rated AS (
    SELECT
        *,
        SUM(events) OVER (PARTITION BY platform, feature_name)
            / SUM(sessions) OVER (PARTITION BY platform, feature_name) AS rate
    FROM grid
)
SELECT feature_name, platform, app_version, first_day AS break_date
FROM rated
WHERE events = 0 AND sessions * rate >= 20
QUALIFY ROW_NUMBER() OVER (PARTITION BY feature_name, platform ORDER BY first_day) = 1
