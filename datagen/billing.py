"""Invoices for every contract term, with late and missing payments.

A term is billed every ``billing_months`` months from its start until it
ends, is cancelled, or reaches the as-of date. Most invoices are paid
within the payment terms, between the issue date and the due date. Each
merchant has its own share of late payments, paid 1 or more days after the
due date with an exponential tail, and a few late invoices are never paid.
Riskier merchants (datagen.risk) pay late more often and later, and more
often still while a decline before a renewal is under way, so lateness
goes with churn. An invoice still unpaid on the as-of date is
'overdue' once its due date has passed, else 'open'.
"""

import numpy as np
import pandas as pd

from datagen import dates, risk
from datagen.config import Config
from datagen.parallel import concat_parts, map_chunks
from datagen.parts import ColumnParts
from datagen.plan import Contract
from datagen.renewals import Decline, decline_in_force
from datagen.rng import stream

NET_DAYS = {"smb": 14, "mid_market": 30, "enterprise": 45}
# Mean days past the due date of a late payment, for a merchant of risk 0.
LATE_DAYS_MEAN = 14
# Share of late invoices that are never paid.
NEVER_PAID_SHARE_OF_LATE = 0.05


def build_invoices(
    config: Config,
    merchants: pd.DataFrame,
    contracts: list[Contract],
    declines: dict[int, list[Decline]],
    processes: int = 1,
) -> pd.DataFrame:
    """Bill every contract term; ``declines`` are the pre-renewal declines.

    ``processes`` splits the merchants between that many processes, which
    never changes the invoices.
    """
    by_merchant: dict[int, list[Contract]] = {}
    for contract in sorted(contracts, key=lambda c: c.contract_id):
        by_merchant.setdefault(contract.merchant_id, []).append(contract)
    rows = {row.merchant_id: row for row in merchants.itertuples(index=False)}
    billed = list(by_merchant.items())

    def invoices_of(first: int, end: int) -> dict[str, np.ndarray] | None:
        parts = ColumnParts()
        for merchant_id, own in billed[first:end]:
            for part in _merchant_invoices(
                config, rows[merchant_id], own, declines.get(merchant_id)
            ):
                parts.append(part)
        return parts.columns()

    frame = pd.DataFrame(concat_parts(map_chunks(invoices_of, len(billed), processes)))
    frame = frame.sort_values(
        ["issue_day", "merchant_id", "contract_id"], kind="stable"
    )
    frame.insert(0, "invoice_id", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def _merchant_invoices(
    config: Config, merchant, own: list[Contract], declines: list[Decline] | None
) -> list[dict[str, np.ndarray]]:
    """Bill one merchant's contracts: one column dict per contract."""
    merchant_id = merchant.merchant_id
    rng = stream(config.seed, "invoices", merchant_id)
    months = int(merchant.billing_months)
    net = NET_DAYS[merchant.segment]
    late_days_mean = LATE_DAYS_MEAN * np.exp(risk.LATE_DAYS_PER_RISK * merchant.risk)
    parts = []
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
        depth = decline_in_force(declines, due)
        late_share = 1 - (1 - merchant.late_payer_share) * (
            1 - risk.LATE_SHARE_PER_DECLINE * depth
        )
        late = rng.random(n) < late_share
        days_late = np.floor(rng.exponential(late_days_mean, n)).astype(np.int64)
        paid = np.where(
            late,
            due + 1 + days_late,
            issue + rng.integers(0, net, n, endpoint=True),
        )
        never_paid = late & (rng.random(n) < NEVER_PAID_SHARE_OF_LATE)
        unpaid = never_paid | (paid >= config.as_of_day)
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
    return parts
