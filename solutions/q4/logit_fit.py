import statsmodels.api as sm

scored = at_renewal.dropna(subset=["health_score"])
fit = sm.Logit(
    scored["renewed"].astype(float), sm.add_constant(scored["health_score"])
).fit(disp=0)
coefficients = {
    "intercept": float(fit.params["const"]),
    "slope": float(fit.params["health_score"]),
}
answer = coefficients
