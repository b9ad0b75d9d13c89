import numpy as np

from kit import health

upcoming = con.sql("""
    SELECT merchant_id, MIN(renewal_date) AS renewal_date
    FROM merchant_contracts
    WHERE contract_status = 'active'
        AND product = 'payments'
        AND renewal_date >= as_of_date()
        AND renewal_date < as_of_date() + 90
    GROUP BY merchant_id
""").df()
today = health_score(health.inputs(con), health.WEIGHTS)
outlook = upcoming.merge(today, on="merchant_id")
log_odds = coefficients["intercept"] + coefficients["slope"] * outlook["health_score"]
outlook["renewal_probability"] = 1 / (1 + np.exp(-log_odds))
outlook = outlook.sort_values(["renewal_probability", "merchant_id"], ignore_index=True)
answer = outlook
