tier_switch_sql = """
WITH recent_changes AS (
    SELECT merchant_id, change_date, from_tier, to_tier
    FROM plan_changes
    WHERE change_date >= as_of_date() - 56 AND change_date < as_of_date()
),
names AS (
    -- Events per name in the 28 days before the change and the 28 from it.
    SELECT
        c.merchant_id,
        c.change_date,
        f.feature_name,
        COUNT(*) FILTER (WHERE f.usage_date < c.change_date) AS before,
        COUNT(*) FILTER (WHERE f.usage_date >= c.change_date) AS after
    FROM recent_changes c
    JOIN merchant_features f
        ON f.merchant_id = c.merchant_id
        AND f.usage_date >= c.change_date - 28
        AND f.usage_date < c.change_date + 28
    GROUP BY c.merchant_id, c.change_date, f.feature_name
)
SELECT c.merchant_id, c.change_date, c.from_tier, c.to_tier
FROM recent_changes c
WHERE EXISTS (
        SELECT 1 FROM names n
        WHERE n.merchant_id = c.merchant_id AND n.change_date = c.change_date
            AND n.before >= 10 AND n.after = 0
    )
    AND EXISTS (
        SELECT 1 FROM names n
        WHERE n.merchant_id = c.merchant_id AND n.change_date = c.change_date
            AND n.before = 0 AND n.after >= 10
    )
ORDER BY c.merchant_id
"""
answer = tier_switch_sql
