-- expect: last_event_date
-- Finds the silent release but dates the break by the day after the last
-- event arrived from the platform, which users who had not updated sent.
WITH releases AS (
    SELECT platform, app_version, COUNT(DISTINCT session_id) AS sessions
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
    SELECT DISTINCT r.platform, f.feature_name
    FROM releases r
    JOIN per_session f USING (platform)
    LEFT JOIN sent s USING (platform, app_version, feature_name)
    WHERE s.events IS NULL AND r.sessions * f.rate >= 20
)
SELECT
    s.feature_name,
    s.platform,
    (
        SELECT MIN(r.app_version) FROM merchant_sessions r
        WHERE r.platform = s.platform
            AND r.session_date = (
                SELECT MAX(f.usage_date) + 1 FROM merchant_features f
                WHERE f.platform = s.platform AND f.feature_name = s.feature_name
            )
    ) AS app_version,
    (
        SELECT MAX(f.usage_date) + 1 FROM merchant_features f
        WHERE f.platform = s.platform AND f.feature_name = s.feature_name
    ) AS break_date
FROM silent s
