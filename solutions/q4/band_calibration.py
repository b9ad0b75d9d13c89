scored = at_renewal.dropna(subset=["health_score"])
calibration = (
    scored.groupby("band")
    .agg(renewals=("renewed", "size"), renewed=("renewed", "sum"))
    .reindex(["red", "yellow", "green"], fill_value=0)
    .reset_index()
)
calibration["renewal_rate_pct"] = (
    100
    * calibration["renewed"]
    / calibration["renewals"].where(calibration["renewals"] > 0)
)
answer = calibration
