"""Scenarios that shape usage over weeks: growth into the seat limit, a quiet
decline, and a seasonal dip of one industry.

expansion_ready and quiet_decline claim their merchants, so no SQL trap
lands on them, and pick merchants whose usage no other edit changes in the
weeks their checks read. seasonal_dip touches every merchant of one
industry without claiming them, in a month that ends at least 60 days
before the as-of date, so the 30- and 60-day windows of the traps see no
dip.
"""

from datetime import date

import numpy as np
import pandas as pd

from datagen import catalog, dates
from datagen.config import Config
from datagen.merchants import hired_contacts
from datagen.plan import Plan, Planted
from datagen.selection import (
    KIND,
    is_retained,
    pick,
    recent_renewals,
    scenario_size,
)

# expansion_ready: the rule that an upsell list applies (see the docstring).
EXPANSION_MIN_UTILISATION = 0.9
EXPANSION_MIN_NEW_USERS = 2
EXPANSION_MIN_SESSION_GROWTH = 1.4
EXPANSION_MIN_TENURE_DAYS = 180
# Planting: merchants with at least this many seats (the second value when
# too few have the first), stable (no contact joining or leaving, no other
# usage edit) for this many days before as-of.
EXPANSION_MIN_SEATS = (5, 3)
EXPANSION_STABLE_DAYS = 150
# New users start between these many days before as-of, after the earlier
# user window [as_of - 120, as_of - 90) has ended.
EXPANSION_HIRE_DAYS = (88, 45)
# Every contact's session rate grows linearly to this factor over the last
# EXPANSION_RAMP_DAYS days.
EXPANSION_RAMP_DAYS = 75
EXPANSION_USAGE_FACTOR = 2.2
EXPANSION_RULE = (
    "signup_date <= as_of - 180 AND users_30d >= 0.9 * seat_limit "
    "AND users_30d >= users_earlier + 2 AND sessions_prior_60d > 0 "
    "AND sessions_60d >= 1.4 * sessions_prior_60d, "
    "where seat_limit = max(seats) of active contracts, users_30d = distinct "
    "contacts with a session in [as_of - 30, as_of), users_earlier = the same "
    "in [as_of - 120, as_of - 90), sessions_60d = distinct sessions in "
    "[as_of - 60, as_of) and sessions_prior_60d = those in "
    "[as_of - 120, as_of - 60)"
)

# quiet_decline: every contact's session rate falls linearly over the last
# QUIET_DECLINE_DAYS days (uniform) to QUIET_DECLINE_FLOOR (uniform) of its
# level on the as-of date.
QUIET_DECLINE_DAYS = (56, 70)
QUIET_DECLINE_FLOOR = (0.25, 0.45)
# Windows of the rule, in days before as-of: the baseline [140, 84) and the
# last 28 days. Sessions of the last 28 days are trimmed, where noise left
# them higher, to at most QUIET_MAX_LAST_RATIO times the baseline's rate.
QUIET_BASELINE_DAYS = (140, 84)
QUIET_LAST_DAYS = 28
QUIET_MAX_LAST_RATIO = 0.6
QUIET_STABLE_DAYS = 150
QUIET_MIN_CONTACTS = 3
# The heaviest user's rate is lowered to at most this share of the summed
# session rates, so that no single user carries the merchant's usage.
QUIET_MAX_TOP_SHARE = 0.5
# Summed session rates after that cap, in sessions per working day, so
# that weekly counts show the decline above Poisson noise. When too few
# merchants reach it, the busiest ones are taken.
QUIET_MIN_DAILY_SESSIONS = 3.0
QUIET_RULE = (
    "for a merchant with an active contract and at least 40 distinct "
    "sessions per 28 days in the baseline [as_of - 140, as_of - 84): "
    "distinct sessions of [as_of - 28, as_of) > 0 and <= 0.65 * the baseline's "
    "sessions per 28 days, those of the contacts other than the one with "
    "most sessions in the baseline <= 0.75 * their baseline per 28 days, "
    "and weekly distinct sessions over [as_of - 84, as_of) have a negative "
    "least-squares slope"
)

SEASONAL_USAGE_FACTOR = 0.5
# The dip month ends this many days before as-of: the first value when the
# history allows it, else the second.
SEASONAL_CLEAR_DAYS = (120, 60)


def _stable_rates(plan: Plan, since: int) -> pd.DataFrame:
    """Return the contacts' session rates of merchants whose users stayed the same.

    One row per merchant where every contact with access on or after
    ``since`` had it on ``since`` and keeps it through the last day of
    history: ``contacts`` counts them, ``total`` and ``top`` sum their
    session rates and take the largest.
    """
    contacts = plan.contacts
    present = contacts[contacts["activity_end_day"] >= since]
    changed = (present["start_day"] > since) | (
        present["activity_end_day"] < plan.config.last_day
    )
    unstable = set(present.loc[changed, "merchant_id"])
    stable = present[~present["merchant_id"].isin(unstable)]
    return stable.groupby("merchant_id")["rate"].agg(
        contacts="size", total="sum", top="max"
    )


def _seat_limits(plan: Plan) -> dict[int, int]:
    """Return the largest seat count of each merchant's active contracts."""
    limits: dict[int, int] = {}
    for contract in plan.contracts:
        if contract.status == "active":
            limits[contract.merchant_id] = max(
                limits.get(contract.merchant_id, 0), contract.seats
            )
    return limits


def expansion_ready(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Grow usage into the seat limit: new users fill every free seat.

    New users join 45 to 88 days before as-of until every seat of the
    active contracts is taken, and all users log in during the last 30
    days. Every user's session rate grows to 2.2 times its level over the
    last 75 days. The rule an upsell list applies, which these merchants
    meet and few others do (EXPANSION_RULE): the merchant signed up at
    least 180 days before as-of, active users in the last 30 days reach
    90% of the seat limit (the largest seat count of the active
    contracts), they are at least two more than in [as_of - 120,
    as_of - 90), and distinct sessions of the last 60 days are at least
    1.4 times those of the 60 days before. Without the tenure condition,
    merchants still onboarding meet it too.
    """
    name = "expansion_ready"
    config = plan.config
    as_of = config.as_of_day
    since = as_of - EXPANSION_STABLE_DAYS
    seat_limits = _seat_limits(plan)
    free_seats: dict[int, int] = {}
    for merchant_id, users in _stable_rates(plan, since)["contacts"].items():
        merchant_id = int(merchant_id)
        if (
            merchant_id in seat_limits
            and seat_limits[merchant_id] - users >= EXPANSION_MIN_NEW_USERS
            and plan.is_free(merchant_id)
            and is_retained(plan, merchant_id)
            and plan.merchants.loc[merchant_id, "go_live_day"] <= since
            and plan.merchants.loc[merchant_id, "signup_day"]
            <= as_of - EXPANSION_MIN_TENURE_DAYS
            and not plan.usage_changed_between(merchant_id, since, as_of)
        ):
            free_seats[merchant_id] = seat_limits[merchant_id] - int(users)
    n = scenario_size(plan)
    for min_seats in EXPANSION_MIN_SEATS:
        room = {m: k for m, k in free_seats.items() if seat_limits[m] >= min_seats}
        if len(room) >= n:
            break
    planted = []
    hires = []
    next_contact_id = int(plan.contacts["contact_id"].max()) + 1
    for merchant_id in pick(rng, list(room), n, name):
        plan.claim(merchant_id, name)
        current = plan.contacts_of(merchant_id)
        start_days = sorted(
            int(day)
            for day in rng.integers(
                as_of - EXPANSION_HIRE_DAYS[0],
                as_of - EXPANSION_HIRE_DAYS[1],
                size=room[merchant_id],
                endpoint=True,
            )
        )
        hired = hired_contacts(
            rng,
            plan.pools,
            current,
            start_days,
            next_contact_id,
            config.last_day,
        )
        hires.append(hired)
        next_contact_id += len(hired)
        edits = plan.edits_for(merchant_id)
        edits.usage_ramps.append(
            (as_of - EXPANSION_RAMP_DAYS, as_of, 1.0, EXPANSION_USAGE_FACTOR)
        )
        edits.all_contacts_active = (as_of - 30, as_of)
        planted.append(
            Planted(
                scenario=name,
                kind=KIND,
                merchant_id=merchant_id,
                event_day=start_days[0],
                details={
                    "seat_limit": seat_limits[merchant_id],
                    "users_before": seat_limits[merchant_id] - len(start_days),
                    "users_added": len(start_days),
                    "usage_growth_pct": round((EXPANSION_USAGE_FACTOR - 1) * 100),
                    "rule": EXPANSION_RULE,
                },
            )
        )
    # One concat for all hires: a concat per merchant copies the whole
    # contacts table each time and regroups it in contact_rows.
    if hires:
        plan.contacts = pd.concat([plan.contacts, *hires])
    return planted


def quiet_decline(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Plant a steady fall in usage spread across every user of the merchant.

    Every contact's session rate falls linearly over the last 8 to 10
    weeks, to 30-50% of its level by the as-of date. No contact joins or leaves
    in the 150 days before as-of, and the heaviest user's rate is lowered
    to at most half of the merchant's summed rates, so the fall is not one
    person's departure. Where Poisson noise left the last 28 days above 0.6
    times the baseline's rate, sessions there are trimmed to it. The rule
    a CSM dashboard applies, which these merchants meet (QUIET_RULE): for a
    current customer with at least 40 sessions per 28 days in the baseline
    [as_of - 140, as_of - 84), sessions of the last 28 days are above 0 (the
    merchant has not gone dark) and at most 0.65 times the baseline's
    sessions per 28 days, at most 0.75 times
    without the heaviest user of the baseline, and weekly sessions over the
    last 12 weeks trend down. A baseline cut short by the start of the
    history counts the days it has.
    """
    name = "quiet_decline"
    config = plan.config
    as_of = config.as_of_day
    since = as_of - QUIET_STABLE_DAYS
    rates = _stable_rates(plan, since)
    rates = rates[rates["contacts"] >= QUIET_MIN_CONTACTS]
    others = rates["total"] - rates["top"]
    limit = QUIET_MAX_TOP_SHARE / (1 - QUIET_MAX_TOP_SHARE) * others
    capped_total = others + np.minimum(rates["top"], limit)
    recent = recent_renewals(plan)
    pool = [
        int(merchant_id)
        for merchant_id in rates.index
        if plan.is_free(merchant_id)
        and is_retained(plan, merchant_id)
        and merchant_id not in recent
        and plan.merchants.loc[merchant_id, "go_live_day"] <= since
        and not plan.usage_changed_between(merchant_id, since, as_of)
    ]
    n = scenario_size(plan)
    candidates = [m for m in pool if capped_total[m] >= QUIET_MIN_DAILY_SESSIONS]
    if len(candidates) < n:
        candidates = sorted(pool, key=lambda m: (-capped_total[m], m))[:n]
    planted = []
    for merchant_id in pick(rng, candidates, n, name):
        plan.claim(merchant_id, name)
        own = plan.contacts_of(merchant_id)
        heaviest = own["rate"].idxmax()
        plan.contacts.loc[heaviest, "rate"] = min(
            own.loc[heaviest, "rate"], float(limit[merchant_id])
        )
        days = int(rng.integers(*QUIET_DECLINE_DAYS, endpoint=True))
        floor = float(rng.uniform(*QUIET_DECLINE_FLOOR))
        first = as_of - days
        edits = plan.edits_for(merchant_id)
        edits.usage_ramps.append((first, as_of, 1.0, floor))
        edits.capped_decline = (
            max(as_of - QUIET_BASELINE_DAYS[0], config.start_day),
            as_of - QUIET_BASELINE_DAYS[1],
            as_of - QUIET_LAST_DAYS,
            QUIET_MAX_LAST_RATIO,
        )
        planted.append(
            Planted(
                scenario=name,
                kind=KIND,
                merchant_id=merchant_id,
                event_day=first,
                details={
                    "decline_weeks": round(days / 7, 1),
                    "usage_floor_pct": round(floor * 100),
                    "contacts": len(plan.contacts_of(merchant_id)),
                    "rule": QUIET_RULE,
                },
            )
        )
    return planted


def _month_bounds(year: int, month: int) -> tuple[int, int]:
    """Return the first day of the month and the first day of the next one."""
    following = date(year + month // 12, month % 12 + 1, 1)
    return dates.to_day(date(year, month, 1)), dates.to_day(following)


def _dip_month(config: Config) -> tuple[str, int, int]:
    """Return the industry and the [first, end) days of its dip month.

    Takes the first pair of catalog.HOLIDAY_MONTHS whose latest month lies
    inside the history and ends SEASONAL_CLEAR_DAYS before as-of. When none
    does, the latest whole month that ends 60 days before as-of is used
    for the first industry listed. When the history contains no whole
    month there, the part of the latest month inside it is used.
    """
    last_year = dates.to_date(config.as_of_day).year
    first_year = dates.to_date(config.start_day).year
    for clear in SEASONAL_CLEAR_DAYS:
        latest_end = config.as_of_day - clear
        for industry, month in catalog.HOLIDAY_MONTHS:
            for year in range(last_year, first_year - 1, -1):
                first, end = _month_bounds(year, month)
                if config.start_day <= first and end <= latest_end:
                    return industry, first, end
    industry = catalog.HOLIDAY_MONTHS[0][0]
    latest_end = config.as_of_day - SEASONAL_CLEAR_DAYS[-1]
    month_start = dates.to_date(latest_end - 1).replace(day=1)
    first, end = _month_bounds(month_start.year, month_start.month)
    if end > latest_end or first < config.start_day:
        end = min(end, latest_end)
        first = max(first, config.start_day)
    return industry, first, end


def seasonal_dip(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Halve the usage of every merchant in one industry for one holiday month.

    The industry and month come from catalog.HOLIDAY_MONTHS (travel in
    December first). Every contact of those merchants logs in half as often
    from the month's first day to its last, and usage returns to normal
    after it, so a month-over-month drop rule flags the whole industry that
    month although nothing is wrong. The answer key has one row per
    merchant of the industry active during the month. Merchants are not
    claimed: other scenarios and traps may plant on them too.
    """
    industry, first, end = _dip_month(plan.config)
    merchants = plan.merchants
    affected = merchants[
        (merchants["industry"] == industry)
        & (merchants["go_live_day"] < end)
        & (merchants["end_day"] >= first)
    ]
    details = {
        "industry": industry,
        "month": dates.to_date(first).strftime("%Y-%m"),
        "first_date": dates.to_date(first).isoformat(),
        "last_date": dates.to_date(end - 1).isoformat(),
        "usage_factor": SEASONAL_USAGE_FACTOR,
        "dip_pct": round((1 - SEASONAL_USAGE_FACTOR) * 100),
    }
    planted = []
    for merchant_id in affected.index:
        merchant_id = int(merchant_id)
        plan.edits_for(merchant_id).usage_factors.append(
            (first, end, SEASONAL_USAGE_FACTOR)
        )
        planted.append(
            Planted(
                scenario="seasonal_dip",
                kind=KIND,
                merchant_id=merchant_id,
                event_day=first,
                details=dict(details),
            )
        )
    return planted
