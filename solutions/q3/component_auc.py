import pandas as pd

from kit import health

history = con.sql(renewal_history_sql).df()
snapshot = health.inputs(con, history)
rows = []
for component in health.COMPONENTS:
    known = snapshot[snapshot[component.name].notna()]
    # Orient every input so that a higher value means healthier.
    direction = 1 if component.target > component.floor else -1
    ranks = (direction * known[component.name]).rank()
    renewed = known["renewed"].astype(bool)
    n_renewed, n_churned = int(renewed.sum()), int((~renewed).sum())
    auc = (ranks[renewed].sum() - n_renewed * (n_renewed + 1) / 2) / (
        n_renewed * n_churned
    )
    rows.append(
        {
            "component": component.name,
            "auc": auc,
            "renewed": n_renewed,
            "churned": n_churned,
        }
    )
auc_table = pd.DataFrame(rows)
answer = auc_table
