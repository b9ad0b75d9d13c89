-- Distinct merchants, because a merchant may hold several active contracts.
SELECT COUNT(DISTINCT merchant_id) AS active_merchants
FROM merchant_contracts
WHERE contract_status = 'active'
