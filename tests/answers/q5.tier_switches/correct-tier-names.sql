-- expect: correct
-- Uses what the tiers log: scale and enterprise rename features, starter
-- and growth do not, so a switch across that line renames events.
SELECT merchant_id, change_date, from_tier, to_tier
FROM plan_changes
WHERE change_date >= as_of_date() - 56
    AND change_date < as_of_date()
    AND (from_tier IN ('scale', 'enterprise')) <> (to_tier IN ('scale', 'enterprise'))
