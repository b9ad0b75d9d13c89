-- expect: names_unchanged
-- Takes every recent plan change, whether or not it renamed an event.
SELECT merchant_id, change_date, from_tier, to_tier
FROM plan_changes
WHERE change_date >= as_of_date() - 56 AND change_date < as_of_date()
