import pandas as pd

from kit import health

account = outlook.dropna(subset=["renewal_probability"]).iloc[0]
as_of = pd.Timestamp(con.sql("SELECT as_of_date()").fetchall()[0][0])
now = health.inputs(con).set_index("merchant_id").loc[int(account["merchant_id"])]
lost = {}
for component in health.COMPONENTS:
    if pd.notna(now[component.name]):
        share = (now[component.name] - component.floor) / (
            component.target - component.floor
        )
        points = 100 * min(max(share, 0.0), 1.0)
        lost[component.name] = component.weight * (100 - points)
renewal = pd.Timestamp(account["renewal_date"])
healthy = account["band"] == "green" and account["renewal_probability"] >= 0.9
answer = {
    "account": int(account["merchant_id"]),
    "renewal_date": renewal.date(),
    "renewal_probability": round(float(account["renewal_probability"]), 2),
    "driver": max(lost, key=lost.get),
    "action": (
        "Call the account owner this week: their team has used the product far "
        "less since spring. Agree a plan to get them back to daily use before we "
        "talk about the renewal terms."
    ),
    "act_by": max(renewal - pd.Timedelta(days=30), as_of).date(),
    "upsell": "yes" if healthy else "no",
}
