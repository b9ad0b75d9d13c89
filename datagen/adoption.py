"""How much each contact uses the features beyond logging in.

Many users of a B2B product only log in to look: they glance at the balance
or check that a payment arrived, and rarely perform a tracked action. Each
merchant draws the share of such viewers among its contacts, and each
contact draws a factor on the merchant's feature depth (expected feature
events per session). A viewer's factor is VIEWER_DEPTH_FACTOR, so most of
their sessions have no feature event. The other contacts' factors are
log-normal around 1. The key contact (the champion) is never a viewer and
uses the features at least at the merchant's depth.
"""

import numpy as np

# Beta parameters of a merchant's share of viewers among its contacts: mean
# 0.4, and 10th to 90th percentile across merchants about 0.14 to 0.68.
VIEWER_SHARE_BETA = (2.0, 3.0)
# A viewer's expected feature events per session, relative to the merchant's
# depth: at the median depth, about 2 in 100 of a viewer's sessions have one.
VIEWER_DEPTH_FACTOR = 0.02
# Sigma of the log-normal depth factor of the other contacts (median 1).
USER_DEPTH_SIGMA = 0.5
# Lowest depth factor of a key contact.
KEY_CONTACT_MIN_DEPTH_FACTOR = 1.0


def depth_factors(rng: np.random.Generator, key: np.ndarray) -> np.ndarray:
    """Draw each contact's factor on the merchant's feature depth, in row order.

    ``key`` marks each contact that is the merchant's key contact.
    """
    count = len(key)
    viewer_share = rng.beta(*VIEWER_SHARE_BETA)
    viewer = rng.random(count) < viewer_share
    factors = np.exp(rng.normal(0.0, USER_DEPTH_SIGMA, count))
    factors = np.where(viewer, VIEWER_DEPTH_FACTOR, factors)
    return np.where(key, np.maximum(factors, KEY_CONTACT_MIN_DEPTH_FACTOR), factors)
