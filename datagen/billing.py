"""Invoices for every contract term, with late and missing payments.

A term is billed every ``billing_months`` months from its start until it
ends, is cancelled, or reaches the as-of date. Most merchants pay within the
payment terms; each has its own share of late payments, and a few invoices
are never paid.
"""

import numpy as np
import pandas as pd

from datagen import dates
from datagen.config import Config
from datagen.plan import Contract
from datagen.rng import stream

NET_DAYS = {"smb": 14, "mid_market": 30, "enterprise": 45}
LATE_DAYS_MEAN = 14
UNPAID_PROBABILITY = 0.01


def build_invoices(
    config: Config, merchants: pd.DataFrame, contracts: list[Contract]
) -> pd.DataFrame:
    by_merchant: dict[int, list[Contract]] = {}
    for contract in sorted(contracts, key=lambda c: c.contract_id):
        by_merchant.setdefault(contract.merchant_id, []).append(contract)
    parts = []
    for merchant_id, own in by_merchant.items():
        merchant = merchants.loc[merchant_id]
        rng = stream(config.seed, "invoices", merchant_id)
        months = int(merchant.billing_months)
        net = NET_DAYS[merchant.segment]
        for contract in own:
            stop = contract.renewal_day
            if contract.cancel_day is not None:
                stop = min(stop, contract.cancel_day + 1)
            stop = min(stop, config.as_of_day)
            periods = np.arange(contract.term_months // months) * months
            issue = dates.add_months(np.full(len(periods), contract.start_day), periods)
            issue = issue[issue < stop]
            n = len(issue)
            due = issue + net
            late = rng.random(n) < merchant.late_payer_share
            paid = np.where(
                late,
                due + 1 + np.floor(rng.exponential(LATE_DAYS_MEAN, n)).astype(np.int64),
                issue + rng.integers(0, net, n, endpoint=True),
            )
            unpaid = (rng.random(n) < UNPAID_PROBABILITY) | (paid >= config.as_of_day)
            status = np.where(due >= config.as_of_day, "open", "overdue")
            parts.append(
                {
                    "merchant_id": np.full(n, merchant_id),
                    "contract_id": np.full(n, contract.contract_id),
                    "issue_day": issue,
                    "due_day": due,
                    "amount_cents": np.full(n, round(contract.arr_cents * months / 12)),
                    "paid_day": np.where(unpaid, -1, paid),
                    "status": np.where(unpaid, status, "paid"),
                }
            )
    frame = pd.DataFrame(
        {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    )
    frame = frame.sort_values(
        ["issue_day", "merchant_id", "contract_id"], kind="stable"
    )
    frame.insert(0, "invoice_id", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)
