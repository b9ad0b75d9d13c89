import pandas as pd

from kit import usage_score

alerts = usage_score.sharp_drops(con)
merchant_id = int(alerts["merchant_id"].iloc[0])
history = usage_score.scores(con)
own = history[history["merchant_id"] == merchant_id].set_index("reading_date")
latest = own.index.max()
readings = {
    "before": own.loc[latest - pd.Timedelta(days=usage_score.DROP_DAYS)],
    "after": own.loc[latest],
}
parts = {}
for name, reading in readings.items():
    points = pd.Series(
        {c.name: reading[f"{c.name}_points"] for c in usage_score.COMPONENTS}
    )
    weights = pd.Series(usage_score.WEIGHTS)
    # The score is the weighted mean of the components present.
    known = weights[points.notna()].sum()
    parts[name] = (points, (points * weights / known).fillna(0))
decomposition = pd.DataFrame(
    {
        "component": list(usage_score.WEIGHTS),
        "points_before": parts["before"][0].to_numpy(),
        "points_after": parts["after"][0].to_numpy(),
        "contribution": (parts["after"][1] - parts["before"][1]).to_numpy(),
    }
)
answer = decomposition
