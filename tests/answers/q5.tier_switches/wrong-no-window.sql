-- expect: old_switches
-- Finds renaming switches across the whole history, not only those the
-- score's two readings see.
SELECT merchant_id, change_date, from_tier, to_tier
FROM plan_changes
WHERE (from_tier IN ('scale', 'enterprise')) <> (to_tier IN ('scale', 'enterprise'))
