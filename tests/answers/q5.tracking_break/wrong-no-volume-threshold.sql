-- expect: rare_events_taken_as_broken
-- Takes every release that sent none of a feature the platform logs, busy
-- or not, so rare events on small releases count as broken.
WITH releases AS (
    SELECT platform, app_version, MIN(session_date) AS first_day
    FROM merchant_sessions
    GROUP BY platform, app_version
),
sent AS (
    SELECT platform, app_version, feature_name, COUNT(*) AS events
    FROM merchant_features
    GROUP BY ALL
),
features AS (SELECT DISTINCT platform, feature_name FROM sent),
silent AS (
    SELECT r.platform, r.app_version, r.first_day, f.feature_name
    FROM releases r
    JOIN features f USING (platform)
    LEFT JOIN sent s USING (platform, app_version, feature_name)
    WHERE s.events IS NULL
)
SELECT feature_name, platform, app_version, first_day AS break_date
FROM silent
QUALIFY ROW_NUMBER() OVER (PARTITION BY feature_name, platform ORDER BY first_day) = 1
