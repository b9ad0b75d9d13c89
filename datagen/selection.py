"""Choosing the merchants a scenario plants on, shared by the scenario modules."""

import numpy as np

from datagen.plan import Plan

KIND = "scenario"
MIN_MERCHANTS_PER_SCENARIO = 5
MERCHANTS_PER_SCENARIO_SHARE = 0.01


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
    return int(plan.merchants.loc[merchant_id, "end_day"]) == plan.config.last_day
