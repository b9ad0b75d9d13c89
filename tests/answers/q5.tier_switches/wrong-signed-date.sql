-- expect: contract_date
-- Dates the switch by the day the new tier's contract was signed.
SELECT p.merchant_id, c.signed_date AS change_date, p.from_tier, p.to_tier
FROM plan_changes p
JOIN merchant_contracts c
    ON c.merchant_id = p.merchant_id
    AND c.start_date = p.change_date
    AND c.plan_tier = p.to_tier
WHERE p.change_date >= as_of_date() - 56
    AND p.change_date < as_of_date()
    AND (p.from_tier IN ('scale', 'enterprise')) <> (p.to_tier IN ('scale', 'enterprise'))
