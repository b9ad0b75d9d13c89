# Account Management owns revenue and its timing; Customer Success owns
# whether the customer gets value, including gross revenue retention.
answer = {
    "ARR": "am",
    "net revenue retention": "am",
    "gross revenue retention": "csm",
    "churned ARR": "am",
    "expansion pipeline": "am",
    "renewal date": "am",
    "login frequency": "csm",
    "feature adoption rate": "csm",
    "time since last meaningful session": "csm",
    "DAU/MAU": "csm",
    "support ticket volume": "csm",
    "NPS": "csm",
    "time-to-value": "csm",
    "seat utilisation": "csm",
    "invoice days late": "am",
}
