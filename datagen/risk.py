"""Account risk: one latent score per merchant behind its health and renewals.

Every merchant draws a standard-normal risk score, higher meaning riskier.
The score lowers NPS sentiment, seat utilisation and the usage trend, and
raises the share of invoices paid late, how late they are paid, and the
ticket rate. At each renewal of the core contract inside the history, a
renewal risk (the merchant's score plus noise of its own) sets the chance
that the merchant lets the contract lapse. A risky renewal is preceded by
a decline that starts months before the renewal date: usage falls, NPS
scores drop, tickets rise and invoices are paid late more often. Health
read 90-120 days before a renewal therefore separates renewed from churned
accounts, but not perfectly, because healthy accounts sometimes churn and
risky ones often renew.
"""

import math

import numpy as np

from datagen.rng import stream

# Correlation between a merchant's risk score and the risk of one renewal.
RENEWAL_RISK_CORRELATION = 0.75
# Change in the log-odds of lapsing per unit of risk: the renewal risk for
# core contracts, the merchant's risk score for add-ons. The base chances
# (catalog.Segment.churn_probability, contracts.ADDON_LAPSE_PROBABILITY)
# are those of a merchant with risk 0.
CORE_LAPSE_SLOPE = 1.8
ADDON_LAPSE_SLOPE = 0.8

# Effect of one unit of merchant risk on each trait.
SENTIMENT_PER_RISK = 1.0  # NPS points, subtracted
UTILISATION_PER_RISK = 0.1  # share of seats held, subtracted
USAGE_TREND_PER_RISK = 0.08  # yearly log change of usage, subtracted
LATE_SHARE_PER_RISK = 0.8  # log of the share of invoices paid late
LATE_DAYS_PER_RISK = 0.3  # log of the mean days an invoice is paid late
TICKETS_PER_RISK = 0.5  # log of the ticket rate
MAX_LATE_SHARE = 0.9
UTILISATION_LIMITS = (0.4, 0.95)

# Usage decline before a renewal: from DECLINE_LEAD_DAYS (uniform) before
# the renewal date, every contact's session rate falls linearly for
# DECLINE_RAMP_DAYS and then stays at that level until the renewal date.
# The rate falls by DECLINE_PER_RISK per unit of renewal risk above
# DECLINE_FROM_RISK, at most by DECLINE_MAX. The decline is under way or
# complete 90-120 days before the renewal.
DECLINE_FROM_RISK = 0.0
DECLINE_PER_RISK = 0.6
DECLINE_MAX = 0.8
DECLINE_LEAD_DAYS = (150, 210)
DECLINE_RAMP_DAYS = 90
# The other health signals worsen over the same days, in proportion to the
# decline's depth. NPS scores fall by NPS_DROP_PER_DECLINE points per unit
# of depth, and the ticket rate grows by TICKETS_PER_DECLINE times the
# depth. The chance of paying an invoice late moves towards 1 by
# LATE_SHARE_PER_DECLINE times the depth.
NPS_DROP_PER_DECLINE = 4.0
TICKETS_PER_DECLINE = 2.0
LATE_SHARE_PER_DECLINE = 0.6


def draw_risk(seed: int, merchants: int) -> np.ndarray:
    """Draw every merchant's risk score from its own stream."""
    return stream(seed, "merchants.risk").standard_normal(merchants)


def renewal_risk(rng: np.random.Generator, merchant_risk: float) -> float:
    """Draw the risk of one renewal, correlated with the merchant's score."""
    rho = RENEWAL_RISK_CORRELATION
    return rho * merchant_risk + math.sqrt(1 - rho**2) * float(rng.standard_normal())


def lapse_probability(base: float, risk: float, slope: float) -> float:
    """Return the chance of lapsing: ``base`` at risk 0, logistic in ``risk``."""
    log_odds = math.log(base / (1 - base)) + slope * risk
    return 1 / (1 + math.exp(-log_odds))


def decline_depth(risk: float) -> float:
    """Return the share of usage lost by the renewal date for a renewal risk."""
    return min(DECLINE_MAX, max(0.0, DECLINE_PER_RISK * (risk - DECLINE_FROM_RISK)))
