import pandas as pd

from kit import health


def health_score(inputs, weights):
    """Score every merchant of ``inputs`` 0-100 and band it."""
    points = pd.DataFrame(index=inputs.index)
    for component in health.COMPONENTS:
        raw = inputs[component.name]
        share = (raw - component.floor) / (component.target - component.floor)
        points[component.name] = 100 * share.clip(0, 1)
    weight = pd.Series(weights, dtype="float64").reindex(points.columns, fill_value=0)
    present = points.notna()
    weighted = (points.fillna(0) * weight).sum(axis=1)
    known_weight = (present * weight).sum(axis=1)
    score = weighted / known_weight.where(known_weight > 0)
    band = pd.cut(
        score,
        bins=[-float("inf"), 50, 75, float("inf")],
        labels=["red", "yellow", "green"],
        right=False,
    )
    return pd.DataFrame(
        {
            "merchant_id": inputs["merchant_id"],
            "health_score": score,
            "band": band.astype("string"),
        }
    )


answer = health_score(health.inputs(con), health.WEIGHTS)
