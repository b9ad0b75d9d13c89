import pandas as pd

from kit import health

history = con.sql(renewal_history_sql).df()
history_inputs = health.inputs(con, history)
history_scores = health_score(history_inputs, health.WEIGHTS)
at_renewal = pd.concat(
    [
        history_inputs[["contract_id", "merchant_id", "renewal_date", "renewed"]],
        history_scores[["health_score", "band"]],
    ],
    axis=1,
)
answer = at_renewal
