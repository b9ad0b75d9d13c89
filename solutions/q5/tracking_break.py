tracking_break_sql = """
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
    GROUP BY platform, app_version, feature_name
),
per_session AS (
    -- Each feature's events per session on each platform, over every release.
    SELECT s.platform, s.feature_name, SUM(s.events) / MAX(p.sessions) AS rate
    FROM sent s
    JOIN (
        SELECT platform, SUM(sessions) AS sessions FROM releases GROUP BY platform
    ) p USING (platform)
    GROUP BY s.platform, s.feature_name
),
silent AS (
    -- Releases that sent none of an event that their sessions should have
    -- sent at least 20 times.
    SELECT r.platform, r.app_version, r.first_day, f.feature_name
    FROM releases r
    JOIN per_session f USING (platform)
    LEFT JOIN sent s USING (platform, app_version, feature_name)
    WHERE s.events IS NULL AND r.sessions * f.rate >= 20
)
SELECT feature_name, platform, app_version, first_day AS break_date
FROM silent s
-- A broken event stays missing in every later release of the platform; a
-- rare event that a release happened not to send comes back.
WHERE NOT EXISTS (
    SELECT 1
    FROM sent later_sent
    JOIN releases later USING (platform, app_version)
    WHERE later_sent.platform = s.platform
      AND later_sent.feature_name = s.feature_name
      AND later.first_day > s.first_day
)
QUALIFY ROW_NUMBER() OVER (
    PARTITION BY feature_name, platform ORDER BY first_day
) = 1
"""
answer = tracking_break_sql
