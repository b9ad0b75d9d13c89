-- Merchants under contract with no session at all in the prior window: a
-- percentage change against zero is undefined, so they need their own flag.
SELECT DISTINCT c.merchant_id
FROM merchant_contracts AS c
WHERE c.contract_status = 'active'
  AND NOT EXISTS (
      SELECT 1
      FROM merchant_sessions AS s
      WHERE s.merchant_id = c.merchant_id
        AND s.session_date >= as_of_date() - 60
        AND s.session_date < as_of_date() - 30
  )
