# Lagging metrics report what already happened to revenue; leading ones move
# first, while there is still time to act.
answer = {
    "ARR": "lagging",
    "net revenue retention": "lagging",
    "gross revenue retention": "lagging",
    "churned ARR": "lagging",
    "expansion pipeline": "leading",
    "renewal date": "leading",
    "login frequency": "leading",
    "feature adoption rate": "leading",
    "time since last meaningful session": "leading",
    "DAU/MAU": "leading",
    "support ticket volume": "leading",
    "NPS": "leading",
    "time-to-value": "leading",
    "seat utilisation": "leading",
    "invoice days late": "leading",
}
