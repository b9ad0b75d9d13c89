"""Choosing the merchants a scenario plants on, shared by the scenario modules."""

import numpy as np

from datagen.plan import Contract, Plan

KIND = "scenario"
MIN_MERCHANTS_PER_SCENARIO = 5
MERCHANTS_PER_SCENARIO_SHARE = 0.01
# A renewal signed this many days before as-of or later is recent. The
# conflict cohort of the business case is the merchants whose usage fell
# after a recent renewal, so only renewal_usage_drop plants a usage drop on
# a merchant that renewed recently.
RECENT_RENEWAL_DAYS = 90


def scenario_size(plan: Plan) -> int:
    """Return how many merchants each merchant-level scenario plants."""
    share = int(plan.config.merchants * MERCHANTS_PER_SCENARIO_SHARE)
    return max(MIN_MERCHANTS_PER_SCENARIO, share)


def pick(
    rng: np.random.Generator, candidates: list[int], n: int, name: str
) -> list[int]:
    if len(candidates) < n:
        raise RuntimeError(
            f"scenario {name} found {len(candidates)} suitable merchants, needs {n}"
        )
    chosen = rng.choice(np.array(sorted(candidates)), size=n, replace=False)
    return [int(merchant) for merchant in chosen]


def is_retained(plan: Plan, merchant_id: int) -> bool:
    """Return whether the merchant is still a customer and active through as-of."""
    return int(plan.merchants.at[merchant_id, "end_day"]) == plan.config.last_day


def recent_renewals(plan: Plan) -> dict[int, list[Contract]]:
    """Return per merchant its recent renewals: active contracts signed in the
    last RECENT_RENEWAL_DAYS days before as-of that continue an earlier term
    of the same product, the earlier term's renewal date being their start.
    """
    as_of = plan.config.as_of_day
    ends = {(c.merchant_id, c.product, c.renewal_day) for c in plan.contracts}
    renewals: dict[int, list[Contract]] = {}
    for contract in plan.contracts:
        if (
            contract.status == "active"
            and as_of - RECENT_RENEWAL_DAYS <= contract.signed_day < as_of
            and (contract.merchant_id, contract.product, contract.start_day) in ends
        ):
            renewals.setdefault(contract.merchant_id, []).append(contract)
    return renewals
