from kit import health

scores = health_score(health.inputs(con), health.WEIGHTS)
red = scores.loc[scores["band"] == "red", ["merchant_id"]]
next_billing = con.sql("""
    WITH last_invoice AS (
        SELECT contract_id, MAX(issue_date) AS issued
        FROM invoices
        GROUP BY contract_id
    )
    SELECT
        c.merchant_id,
        MIN(
            CASE
                WHEN i.issued IS NULL THEN c.start_date
                ELSE LEAST(
                    CAST(i.issued + TO_MONTHS(c.billing_months) AS DATE),
                    c.renewal_date
                )
            END
        ) AS next_billing_date
    FROM merchant_contracts c
    LEFT JOIN last_invoice i USING (contract_id)
    WHERE c.contract_status = 'active'
    GROUP BY c.merchant_id
""").df()
answer = red.merge(next_billing, on="merchant_id").sort_values(
    ["next_billing_date", "merchant_id"], ignore_index=True
)
