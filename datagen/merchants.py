"""The merchants table and its contacts, with the activity traits behind them.

Besides the table columns, the frames carry traits that only the generator
reads: each merchant's go-live day, target ARR, usage trend and risk score
(see datagen.risk), each contact's session rate, mobile share and update
lag.
"""

import math

import numpy as np
import pandas as pd

from datagen import catalog, risk
from datagen.config import Config
from datagen.parallel import map_chunks
from datagen.plan import NO_END
from datagen.pools import NamePools, email_domain, email_local_part
from datagen.rng import stream

MERCHANT_ID_OFFSET = 1000
# Tenure in days: gamma-distributed (few brand-new customers, a long tail
# of old ones) with mean shape * scale, capped at six years.
TENURE_SHAPE = 1.6
TENURE_SCALE_DAYS = 500
TENURE_MAX_DAYS = 6 * 365
ONBOARDING_DAYS = (5, 25)
# Every merchant has gone live by the day before the as-of date.
MIN_TENURE_DAYS = ONBOARDING_DAYS[1] + 1
# Sessions per working day of a typical user; users vary log-normally.
SESSION_RATE_MEDIAN = 0.4
SESSION_RATE_SIGMA = 0.9
POWER_USER_BOOST = 2.5
SECOND_POWER_USER = (0.4, 1.6)
KEY_CONTACT_IS_TOP_USER = 0.85
SEAT_UTILISATION = (0.55, 0.95)
LATE_HIRE_PROBABILITY = 0.25
# Yearly chance that a contact other than the champion leaves.
YEARLY_DEPARTURE_PROBABILITY = 0.15
MOBILE_SHARE_BETA = (0.8, 2.5)
IOS_SHARE = 0.55
# Mobile platform names by whether the contact draws iOS.
PLATFORM_NAMES = np.array(["android", "ios"], dtype=object)
UPDATE_LAG_MEAN_DAYS = 5.0


class _Choices:
    """Names and their probabilities, prepared once for repeated draws."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.names = np.array(list(weights), dtype=object)
        p = np.array([weights[name] for name in weights])
        self.p = p / p.sum()

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.names[rng.choice(len(self.names), size=size, p=self.p)]


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int):
    return _Choices(weights).draw(rng, size)


def _segment_counts(total: int) -> list[int]:
    counts = [math.floor(total * segment.share) for segment in catalog.SEGMENTS]
    counts[0] += total - sum(counts)
    return counts


def _truncated_lognormal(
    rng: np.random.Generator,
    median: float,
    sigma: float,
    low: float,
    high: float,
    n: int,
) -> np.ndarray:
    values = np.exp(rng.normal(np.log(median), sigma, n))
    outside = (values < low) | (values > high)
    while outside.any():
        values[outside] = np.exp(rng.normal(np.log(median), sigma, outside.sum()))
        outside = (values < low) | (values > high)
    return values


def _staff(rng: np.random.Generator, pools: NamePools, count: int) -> np.ndarray:
    """Draw ``count`` distinct employee names of the payments company."""
    names: dict[str, None] = {}
    while len(names) < count:
        first = rng.choice(pools.first_names, count)
        last = rng.choice(pools.last_names, count)
        names.update(
            dict.fromkeys(f"{a} {b}" for a, b in zip(first, last, strict=True))
        )
    return np.array(list(names)[:count], dtype=object)


def build_merchants(config: Config, pools: NamePools) -> pd.DataFrame:
    """Draw every merchant's firmographics, plan, size and tenure."""
    rng = stream(config.seed, "merchants")
    n = config.merchants
    segment_index = np.repeat(np.arange(len(catalog.SEGMENTS)), _segment_counts(n))
    rng.shuffle(segment_index)

    tier = np.empty(n, dtype=object)
    seats = np.empty(n, dtype=np.int64)
    target_arr = np.empty(n)
    term = np.empty(n, dtype=np.int64)
    billing = np.empty(n, dtype=np.int64)
    for index, segment in enumerate(catalog.SEGMENTS):
        rows = np.flatnonzero(segment_index == index)
        k = len(rows)
        tier[rows] = _choice(rng, segment.tiers, k)
        raw_seats = np.exp(
            rng.normal(np.log(segment.seats_median), segment.seats_sigma, k)
        )
        seats[rows] = np.clip(np.round(raw_seats), segment.seats_min, segment.seats_max)
        arr = _truncated_lognormal(
            rng,
            segment.arr_median,
            segment.arr_sigma,
            segment.arr_min,
            segment.arr_max,
            k,
        )
        if segment.name == "enterprise":
            whales = rng.random(k) < catalog.WHALE_SHARE
            arr[whales] *= 1 + rng.pareto(catalog.WHALE_PARETO_SHAPE, whales.sum())
            arr = np.minimum(arr, segment.arr_max)
        target_arr[rows] = arr
        terms = list(segment.term_months)
        term[rows] = rng.choice(terms, k, p=list(segment.term_months.values()))
        periods = list(segment.billing_months)
        billing[rows] = rng.choice(periods, k, p=list(segment.billing_months.values()))

    tenure = np.minimum(
        MIN_TENURE_DAYS + rng.gamma(TENURE_SHAPE, TENURE_SCALE_DAYS, n), TENURE_MAX_DAYS
    )
    signup_day = config.as_of_day - tenure.astype(np.int64)
    go_live_day = signup_day + rng.integers(*ONBOARDING_DAYS, n, endpoint=True)
    region = _choice(rng, catalog.REGIONS, n)
    account_managers = _staff(rng, pools, max(4, math.ceil(n / 60)))
    csms = _staff(rng, pools, max(6, math.ceil(n / 35)))
    risk_score = risk.draw_risk(config.seed, n)

    frame = pd.DataFrame(
        {
            "merchant_id": np.arange(1, n + 1) + MERCHANT_ID_OFFSET,
            "merchant_name": np.array(pools.companies[:n], dtype=object),
            "segment": np.array(catalog.SEGMENT_NAMES, dtype=object)[segment_index],
            "industry": _choice(rng, catalog.INDUSTRIES, n),
            "region": region,
            "plan_tier": tier,
            "seats": seats,
            "signup_day": signup_day,
            "account_manager": rng.choice(account_managers, n),
            "csm_owner": rng.choice(csms, n),
            # Traits the generator reads; not written to the table.
            "go_live_day": go_live_day,
            "end_day": np.full(n, config.last_day, dtype=np.int64),
            "target_arr": target_arr,
            "term_months": term,
            "billing_months": billing,
            "usage_trend": np.clip(
                rng.normal(0.05, 0.2, n) - risk.USAGE_TREND_PER_RISK * risk_score,
                -0.5,
                0.6,
            ),
            "feature_depth": np.exp(rng.normal(np.log(1.1), 0.3, n)),
            "sentiment": np.clip(
                rng.normal(7.6, 1.1, n) - risk.SENTIMENT_PER_RISK * risk_score,
                3.0,
                9.6,
            ),
            "late_payer_share": np.minimum(
                rng.beta(1.2, 6.0, n) * np.exp(risk.LATE_SHARE_PER_RISK * risk_score),
                risk.MAX_LATE_SHARE,
            ),
            "centre_hour": np.array([catalog.REGION_CENTRE_HOUR[r] for r in region]),
            "risk": risk_score,
        }
    )
    return frame.set_index("merchant_id", drop=False)


def _session_rates(rng: np.random.Generator, count: int) -> np.ndarray:
    """Draw heavy-tailed session rates, largest first, with one or two power users."""
    rates = np.sort(
        np.exp(rng.normal(np.log(SESSION_RATE_MEDIAN), SESSION_RATE_SIGMA, count))
    )
    rates = rates[::-1].copy()
    rates[0] *= POWER_USER_BOOST
    if count > 1 and rng.random() < SECOND_POWER_USER[0]:
        rates[1] *= SECOND_POWER_USER[1]
    return rates


CONTACT_COLUMNS = (
    "merchant_id",
    "full_name",
    "email",
    "job_role",
    "is_key_contact",
    "start_day",
    "end_day",
    "rate",
    "mobile_share",
    "mobile_platform",
    "update_lag",
)
TEXT_COLUMNS = ("full_name", "email", "job_role", "mobile_platform")


def build_contacts(
    config: Config, merchants: pd.DataFrame, pools: NamePools, processes: int = 1
) -> pd.DataFrame:
    """Draw the people at each merchant: seat holders, the champion and leavers.

    Each seat holder starts at go-live or is hired later. The champion (key
    contact) is usually the heaviest user and never leaves in the baseline.
    Other seats may change hands once, which leaves a contact with an end
    date. ``processes`` splits the merchants between that many processes,
    which never changes the contacts.
    """
    rows = list(merchants.itertuples(index=False))
    parts = map_chunks(
        lambda first, end: _contact_columns(config, rows, pools, first, end),
        len(rows),
        processes,
    )
    frame = pd.DataFrame(
        {
            name: np.concatenate([part[name] for part in parts])
            for name in CONTACT_COLUMNS
        }
    )
    frame.insert(0, "contact_id", np.arange(1, len(frame) + 1))
    # Last day of activity; differs from end_day when the CRM was not updated.
    frame["activity_end_day"] = np.minimum(frame["end_day"], config.last_day)
    return frame.set_index("contact_id", drop=False)


def _contact_columns(
    config: Config, rows: list, pools: NamePools, first: int, end: int
) -> dict[str, np.ndarray]:
    """Return the contacts of merchants ``first`` to ``end - 1``, by position."""
    history_years = config.history_days / 365
    departure_probability = min(0.5, YEARLY_DEPARTURE_PROBABILITY * history_years)
    columns: dict[str, list] = {name: [] for name in CONTACT_COLUMNS}
    emails = columns["email"]
    key_roles_choice = _Choices(catalog.KEY_CONTACT_ROLES)
    roles_choice = _Choices(catalog.CONTACT_ROLES)
    as_of_day, start_day = config.as_of_day, config.start_day
    for index in range(first, end):
        merchant = rows[index]
        rng = stream(config.seed, "contacts", merchant.merchant_id)
        utilisation = np.clip(
            rng.uniform(*SEAT_UTILISATION) - risk.UTILISATION_PER_RISK * merchant.risk,
            *risk.UTILISATION_LIMITS,
        )
        holders = int(np.clip(round(merchant.seats * utilisation), 1, merchant.seats))
        rates = _session_rates(rng, holders)
        key = 0 if holders == 1 or rng.random() < KEY_CONTACT_IS_TOP_USER else 1
        go_live = int(merchant.go_live_day)
        latest_start = max(go_live, as_of_day - 14)

        people = []  # (rate, is_key, start_day, end_day)
        for slot in range(holders):
            is_key = slot == key
            start = go_live
            if not is_key and rng.random() < LATE_HIRE_PROBABILITY:
                start = int(rng.integers(go_live, latest_start, endpoint=True))
            leave_low, leave_high = start + 60, as_of_day - 30
            leaves = (
                not is_key
                and leave_low < leave_high
                and max(leave_low, start_day) < leave_high
                and rng.random() < departure_probability
            )
            if leaves:
                leave = int(rng.integers(max(leave_low, start_day), leave_high))
                leaver_rate = float(
                    np.exp(rng.normal(np.log(SESSION_RATE_MEDIAN), SESSION_RATE_SIGMA))
                )
                people.append((leaver_rate, False, start, leave))
                start = leave + int(rng.integers(7, 46))
                if start >= as_of_day:
                    continue
            people.append((float(rates[slot]), is_key, start, NO_END))

        count = len(people)
        first = rng.choice(pools.first_names, count)
        last = rng.choice(pools.last_names, count)
        key_roles = key_roles_choice.draw(rng, count)
        roles = roles_choice.draw(rng, count)
        mobile_share = rng.beta(*MOBILE_SHARE_BETA, count)
        # Shared str objects, not a numpy string per contact, which would
        # take about 80 MB at 100,000 merchants.
        mobile_platform = PLATFORM_NAMES[(rng.random(count) < IOS_SHARE).astype(int)]
        lag = np.floor(rng.exponential(UPDATE_LAG_MEAN_DAYS, count)).astype(np.int64)
        domain = email_domain(merchant.merchant_name, index)
        rate, is_key, start, end = zip(*people, strict=True)
        names = [f"{a} {b}" for a, b in zip(first, last, strict=True)]
        seen: dict[str, int] = {}
        for name in names:
            local = email_local_part(name)
            seen[local] = seen.get(local, 0) + 1
            if seen[local] > 1:
                local += str(seen[local])
            emails.append(f"{local}@{domain}")
        columns["merchant_id"].extend([merchant.merchant_id] * count)
        columns["full_name"].extend(names)
        columns["job_role"].extend(np.where(is_key, key_roles, roles))
        columns["is_key_contact"].extend(is_key)
        columns["start_day"].extend(start)
        columns["end_day"].extend(end)
        columns["rate"].extend(rate)
        columns["mobile_share"].extend(mobile_share)
        columns["mobile_platform"].extend(mobile_platform)
        columns["update_lag"].extend(lag)

    # Arrays, because a chunk process pickles them to the main one, and a
    # list of numpy scalars pickles one object at a time.
    return {
        name: np.array(values, dtype=object if name in TEXT_COLUMNS else None)
        for name, values in columns.items()
    }


def hired_contacts(
    rng: np.random.Generator,
    pools: NamePools,
    current: pd.DataFrame,
    start_days: list[int],
    first_contact_id: int,
    last_day: int,
) -> pd.DataFrame:
    """Return new seat holders of one merchant, starting on ``start_days``.

    ``current`` contains the merchant's contacts so far. The new ones take
    emails on the same domain that no current contact uses, session rates
    from the same distribution as other users, and ids counting up from
    ``first_contact_id``. None is the key contact, and all stay active
    through ``last_day``, the last day of history.
    """
    count = len(start_days)
    domain = str(current["email"].iloc[0]).split("@", 1)[1]
    used_emails = set(current["email"])
    names, emails = [], []
    first = rng.choice(pools.first_names, count)
    last = rng.choice(pools.last_names, count)
    for first_name, last_name in zip(first, last, strict=True):
        name = f"{first_name} {last_name}"
        local = email_local_part(name)
        email, number = f"{local}@{domain}", 1
        while email in used_emails:
            number += 1
            email = f"{local}{number}@{domain}"
        used_emails.add(email)
        names.append(name)
        emails.append(email)
    starts = np.array(start_days, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "contact_id": np.arange(first_contact_id, first_contact_id + count),
            "merchant_id": np.full(count, int(current["merchant_id"].iloc[0])),
            "full_name": names,
            "email": emails,
            "job_role": _choice(rng, catalog.CONTACT_ROLES, count),
            "is_key_contact": np.zeros(count, dtype=bool),
            "start_day": starts,
            "end_day": np.full(count, NO_END, dtype=np.int64),
            "rate": np.exp(
                rng.normal(np.log(SESSION_RATE_MEDIAN), SESSION_RATE_SIGMA, count)
            ),
            "mobile_share": rng.beta(*MOBILE_SHARE_BETA, count),
            "mobile_platform": np.where(
                rng.random(count) < IOS_SHARE, "ios", "android"
            ),
            "update_lag": np.floor(rng.exponential(UPDATE_LAG_MEAN_DAYS, count)).astype(
                np.int64
            ),
            "activity_end_day": np.full(count, last_day, dtype=np.int64),
        }
    )
    return frame.set_index("contact_id", drop=False)
