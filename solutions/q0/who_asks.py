answer = {
    "Which renewals fall in the next quarter?": "am",
    "Which accounts stopped using invoicing?": "csm",
    "Where can we sell more seats?": "am",
    "Which merchants have not logged in for two weeks?": "csm",
    "How much ARR did we lose to downgrades?": "am",
    "Which accounts opened the most support tickets?": "csm",
}
