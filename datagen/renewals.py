"""Renewals inside the history: the usage decline before risky ones and the
answer-key table of every renewal and its outcome.

A contract term reached its renewal inside the history when its
renewal_date lies from the first day of history up to the as-of date and
it was not cancelled first (status 'expired'). It renewed when a contract
for the same merchant and product starts on that renewal date. Otherwise
it lapsed, and when the product is the core one the merchant churned.
Both facts are in merchant_contracts, so every outcome can be derived from
the candidate tables.
"""

import numpy as np
import pandas as pd

from datagen import catalog, risk
from datagen.plan import Contract, Plan
from datagen.rng import stream

# (first, end, depth): a decline's half-open window of days and the share of
# usage lost by the renewal date.
Decline = tuple[int, int, float]
# A merchant that renewed recovers its usage by this many days before the
# as-of date at the latest, so the 30- and 60-day windows of the SQL traps
# see no decline planted here.
RECOVERED_BEFORE_AS_OF_DAYS = 60


def _successors(contracts: list[Contract]) -> dict[tuple[int, str, int], Contract]:
    """Return contracts by (merchant, product, start day)."""
    return {(c.merchant_id, c.product, c.start_day): c for c in contracts}


def add_pre_renewal_declines(plan: Plan) -> None:
    """Register the decline before each risky core renewal in the history.

    From DECLINE_LEAD_DAYS before the renewal date, every contact's session
    rate falls linearly for DECLINE_RAMP_DAYS to ``1 - decline_depth`` of
    the renewal risk, then stays there. A merchant that churned stays low
    until it leaves. A merchant that renewed recovers on the renewal date,
    or RECOVERED_BEFORE_AS_OF_DAYS before the as-of date if that comes
    first. The decline's window is kept on the contract, because NPS,
    tickets and invoices worsen over the same days.
    """
    config = plan.config
    recover_by = config.as_of_day - RECOVERED_BEFORE_AS_OF_DAYS
    successors = _successors(plan.contracts)
    decided: dict[int, list[Contract]] = {}
    for contract in plan.contracts:
        if (
            contract.product == catalog.CORE_PRODUCT
            and contract.renewal_risk is not None
        ):
            decided.setdefault(contract.merchant_id, []).append(contract)
    for merchant_id, contracts in decided.items():
        rng = stream(config.seed, "pre_renewal_decline", merchant_id)
        for contract in sorted(contracts, key=lambda c: c.renewal_day):
            depth = risk.decline_depth(contract.renewal_risk)
            lead = int(rng.integers(*risk.DECLINE_LEAD_DAYS, endpoint=True))
            renewal = contract.renewal_day
            first = renewal - lead
            renewed = (merchant_id, contract.product, renewal) in successors
            end = min(renewal, recover_by) if renewed else renewal
            if depth == 0 or end <= first:
                continue
            edits = plan.edits_for(merchant_id)
            ramp_end = min(first + risk.DECLINE_RAMP_DAYS, end)
            floor = 1 - depth * (ramp_end - first) / risk.DECLINE_RAMP_DAYS
            edits.usage_ramps.append((first, ramp_end, 1.0, floor))
            if ramp_end < end:
                edits.usage_factors.append((ramp_end, end, floor))
            contract.decline = (first, end, depth)


def decline_windows(contracts: list[Contract]) -> dict[int, list[Decline]]:
    """Return each merchant's pre-renewal declines as (first, end, depth)."""
    windows: dict[int, list[Decline]] = {}
    for contract in contracts:
        if contract.decline is not None:
            windows.setdefault(contract.merchant_id, []).append(contract.decline)
    return windows


def decline_in_force(windows: list[Decline] | None, days: np.ndarray) -> np.ndarray:
    """Return the depth of the decline each day falls in, 0 outside every one."""
    depth = np.zeros(len(days))
    for first, end, window_depth in windows or ():
        depth[(days >= first) & (days < end)] = window_depth
    return depth


def renewal_outcomes(plan: Plan) -> pd.DataFrame:
    """Return every renewal inside the history and whether it renewed.

    Reads the final contracts, so ids are assigned and every scenario's
    change (an early renewal, a removed term) is included.
    """
    config = plan.config
    successors = _successors(plan.contracts)
    reached = sorted(
        (
            c
            for c in plan.contracts
            if c.status == "expired"
            and config.start_day <= c.renewal_day <= config.as_of_day
        ),
        key=lambda c: (c.renewal_day, c.contract_id),
    )
    rows = []
    for contract in reached:
        successor = successors.get(
            (contract.merchant_id, contract.product, contract.renewal_day)
        )
        decline = contract.decline
        rows.append(
            {
                "contract_id": contract.contract_id,
                "merchant_id": contract.merchant_id,
                "product": contract.product,
                "renewal_date": contract.renewal_day,
                "renewed": successor is not None,
                "successor_contract_id": (
                    successor.contract_id if successor is not None else None
                ),
                "lapse_probability": contract.lapse_probability,
                "renewal_risk": contract.renewal_risk,
                "usage_decline_start": decline[0] if decline else None,
                "usage_decline_pct": round(100 * decline[2]) if decline else 0,
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("successor_contract_id", "usage_decline_start"):
        frame[column] = pd.array(frame[column], dtype="Int64")
    for column in ("lapse_probability", "renewal_risk"):
        frame[column] = pd.array(frame[column], dtype="Float64")
    return frame
