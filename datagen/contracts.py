"""Contract history per merchant and the background plan changes.

Each product runs as a chain of terms from the day it was bought. At each
renewal the old term becomes 'expired' and the next, signed before it
starts, follows it. The term that contains the as-of date is 'active'.
A merchant may let its core payments contract lapse at a renewal inside the
history window (churn), drop an add-on at renewal (contraction), or cancel
an add-on mid-term. The chance of a lapse grows with the merchant's risk
(see datagen.risk), and each term whose renewal was decided by a draw
records that chance and the risk behind it.
"""

import itertools
from collections.abc import Iterator

import numpy as np
import pandas as pd

from datagen import catalog, dates, risk
from datagen.config import Config
from datagen.parallel import map_chunks
from datagen.plan import Contract, PlanChange
from datagen.rng import stream

RENEWAL_UPLIFT = (1.0, 1.08)
SEAT_GROWTH_PER_TERM = (1.0, 1.15)
FIRST_SIGNED_DAYS = (0, 21)
RENEWAL_SIGNED_DAYS = (3, 60)
ADDON_LAPSE_PROBABILITY = 0.10
ADDON_CANCEL_PROBABILITY = 0.05
BACKGROUND_UPGRADE_PROBABILITY = 0.25
# Background plan changes stay this far before the as-of date, so recent
# plan changes are only the planted ones.
BACKGROUND_CHANGE_MARGIN_DAYS = 90


def renames_features(from_tier: str, to_tier: str) -> bool:
    """Return whether a switch between the tiers changes feature event names."""
    renaming = catalog.RENAMING_TIERS
    return (from_tier in renaming) != (to_tier in renaming)


def term_renewal(start_day: int, term_months: int) -> int:
    return int(dates.add_months(np.array([start_day]), term_months)[0])


# A lapse decision: the chance that a term lapses at its renewal, and the
# risk score behind that chance.
Decision = tuple[float, float]


def _core_decisions(
    rng: np.random.Generator, merchant_risk: float, base: float
) -> Iterator[Decision]:
    """Yield the lapse decision of each core renewal, with its own risk."""
    while True:
        renewal_risk = risk.renewal_risk(rng, merchant_risk)
        probability = risk.lapse_probability(base, renewal_risk, risk.CORE_LAPSE_SLOPE)
        yield probability, renewal_risk


def _chain(
    rng: np.random.Generator,
    config: Config,
    start: int,
    term: int,
    stop_day: int,
    decisions_ahead: Iterator[Decision],
    lapse_from_day: int,
) -> tuple[list[tuple[int, int]], dict[int, Decision], bool]:
    """Return the (start, renewal) terms of one product and whether it lapsed.

    The chain stops at the term that covers the as-of date, at a lapse, or
    before a term that would start on or after ``stop_day``. Each renewal
    from ``lapse_from_day`` on takes the next of ``decisions_ahead``, and
    the returned dictionary contains those decisions by term position.
    """
    terms = []
    decisions: dict[int, Decision] = {}
    while start < stop_day:
        renewal = term_renewal(start, term)
        terms.append((start, renewal))
        if renewal > config.as_of_day:
            return terms, decisions, False
        if renewal >= lapse_from_day:
            decision = next(decisions_ahead)
            decisions[len(terms) - 1] = decision
            if rng.random() < decision[0]:
                return terms, decisions, True
        start = renewal
    return terms, decisions, True


def build_contracts(
    config: Config, merchants: pd.DataFrame, processes: int = 1
) -> tuple[list[Contract], list[PlanChange]]:
    """Build every merchant's contract terms; set ``end_day`` of churned merchants.

    ``processes`` splits the merchants between that many processes, which
    never changes the contracts.
    """
    rows = list(merchants.itertuples(index=False))
    contracts: list[Contract] = []
    changes: list[PlanChange] = []
    # Last day of each churned merchant, set on the frame after the loop
    # because each assignment to it takes time in proportion to its length.
    churn_end_days: dict[int, int] = {}
    for chunk in map_chunks(
        lambda first, end: _chunk_contracts(config, rows[first:end]),
        len(rows),
        processes,
    ):
        contracts += chunk[0]
        changes += chunk[1]
        churn_end_days |= chunk[2]
    if churn_end_days:
        merchants.loc[list(churn_end_days), "end_day"] = list(churn_end_days.values())
    return contracts, changes


def _chunk_contracts(
    config: Config, rows: list
) -> tuple[list[Contract], list[PlanChange], dict[int, int]]:
    """Return the contracts, plan changes and churn days of merchants ``rows``."""
    contracts: list[Contract] = []
    changes: list[PlanChange] = []
    churn_end_days: dict[int, int] = {}
    segments = {segment.name: segment for segment in catalog.SEGMENTS}
    for merchant in rows:
        rng = stream(config.seed, "merchant_contracts", merchant.merchant_id)
        risk_rng = stream(config.seed, "renewal_risk", merchant.merchant_id)
        segment = segments[merchant.segment]
        term = int(merchant.term_months)
        signup = int(merchant.signup_day)

        core_decisions = _core_decisions(
            risk_rng, float(merchant.risk), segment.churn_probability
        )
        addon_decisions = itertools.repeat(
            (
                risk.lapse_probability(
                    ADDON_LAPSE_PROBABILITY,
                    float(merchant.risk),
                    risk.ADDON_LAPSE_SLOPE,
                ),
                float(merchant.risk),
            )
        )
        core_terms, core_decided, churned = _chain(
            rng,
            config,
            signup,
            term,
            config.as_of_day + 1,
            core_decisions,
            config.start_day,
        )
        core_end = core_terms[-1][1] if churned else config.as_of_day + 1
        if churned:
            churn_end_days[merchant.merchant_id] = core_end - 1

        products = [(catalog.CORE_PRODUCT, core_terms, core_decided, False, None)]
        for product in catalog.ADDON_PRODUCTS:
            if rng.random() >= segment.addon_probability:
                continue
            latest_add = min(config.as_of_day - 30, core_end - 30)
            added = signup
            if latest_add > signup:
                added = int(rng.integers(signup, latest_add, endpoint=True))
            terms, decisions, lapsed = _chain(
                rng, config, added, term, core_end, addon_decisions, signup
            )
            cancel_day = None
            last_start, last_renewal = terms[-1]
            covered_end = min(last_renewal, core_end, config.as_of_day)
            if (
                rng.random() < ADDON_CANCEL_PROBABILITY
                and covered_end - last_start > 45
            ):
                cancel_day = int(rng.integers(last_start + 30, covered_end))
            elif churned and last_renewal > core_end:
                # The merchant left mid-term, which ended the add-on early.
                cancel_day = core_end - 1
            products.append((product, terms, decisions, lapsed, cancel_day))

        # Current ARR: the core contract plus add-ons as a share of it.
        ratios = {p: rng.uniform(*catalog.ADDON_ARR_RATIO) for p, *_ in products[1:]}
        live = [
            p
            for p, _, _, lapsed, cancel in products[1:]
            if not lapsed and cancel is None
        ]
        counted = list(ratios) if churned else live
        core_now = merchant.target_arr / (1 + sum(ratios[p] for p in counted))

        tiers = list(catalog.TIERS)
        tier_now = merchant.plan_tier
        change_day, from_tier = None, tier_now
        if len(core_terms) > 1 and rng.random() < BACKGROUND_UPGRADE_PROBABILITY:
            candidate_day = core_terms[int(rng.integers(1, len(core_terms)))][0]
            candidate_from = tiers[max(0, tiers.index(tier_now) - 1)]
            allowed = (
                candidate_from != tier_now
                and candidate_day < config.as_of_day - BACKGROUND_CHANGE_MARGIN_DAYS
                and (
                    candidate_day < config.start_day
                    or not renames_features(candidate_from, tier_now)
                )
            )
            if allowed:
                change_day, from_tier = candidate_day, candidate_from
                changes.append(
                    PlanChange(merchant.merchant_id, change_day, from_tier, tier_now)
                )

        for product, terms, decisions, lapsed, cancel_day in products:
            base = (
                core_now
                if product == catalog.CORE_PRODUCT
                else core_now * ratios[product]
            )
            arr = base
            seats = float(merchant.seats)
            for position in range(len(terms) - 1, -1, -1):
                start, renewal = terms[position]
                last = position == len(terms) - 1
                if last and cancel_day is not None:
                    status = "cancelled"
                elif last and not lapsed and renewal > config.as_of_day:
                    status = "active"
                else:
                    status = "expired"
                if position == 0:
                    signed = start - int(
                        rng.integers(*FIRST_SIGNED_DAYS, endpoint=True)
                    )
                else:
                    lead = int(rng.integers(*RENEWAL_SIGNED_DAYS, endpoint=True))
                    signed = max(start - lead, terms[position - 1][0] + 1)
                tier = (
                    from_tier
                    if change_day is not None and start < change_day
                    else tier_now
                )
                probability, renewal_risk = decisions.get(position, (None, None))
                contracts.append(
                    Contract(
                        merchant_id=int(merchant.merchant_id),
                        product=product,
                        plan_tier=tier,
                        arr_cents=int(round(arr)) * 100,
                        seats=max(1, int(round(seats))),
                        signed_day=int(signed),
                        start_day=int(start),
                        renewal_day=int(renewal),
                        status=status,
                        term_months=term,
                        cancel_day=cancel_day if last else None,
                        renewal_risk=renewal_risk,
                        lapse_probability=probability,
                    )
                )
                arr /= rng.uniform(*RENEWAL_UPLIFT)
                seats /= rng.uniform(*SEAT_GROWTH_PER_TERM)
    return contracts, changes, churn_end_days


def finalize_contracts(contracts: list[Contract]) -> None:
    """Number contracts in signing order, so contract ids grow with time."""
    contracts.sort(key=lambda c: (c.signed_day, c.merchant_id, c.product, c.start_day))
    for number, contract in enumerate(contracts, start=1):
        contract.contract_id = number


def contracts_frame(contracts: list[Contract]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contract_id": [c.contract_id for c in contracts],
            "merchant_id": [c.merchant_id for c in contracts],
            "product": [c.product for c in contracts],
            "plan_tier": [c.plan_tier for c in contracts],
            "arr_cents": np.array([c.arr_cents for c in contracts], dtype=np.int64),
            "seats": [c.seats for c in contracts],
            "signed_day": [c.signed_day for c in contracts],
            "start_day": [c.start_day for c in contracts],
            "renewal_day": [c.renewal_day for c in contracts],
            "contract_status": [c.status for c in contracts],
            # The day after the last billed day, like renewal_day; -1 when the
            # contract was not cancelled.
            "cancelled_day": np.array(
                [-1 if c.cancel_day is None else c.cancel_day + 1 for c in contracts],
                dtype=np.int64,
            ),
        }
    )
