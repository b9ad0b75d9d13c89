"""Support tickets and NPS survey answers from each merchant's contacts.

Both come from contacts on days they had access, so a contact who left
stops raising tickets and answering surveys too. Riskier merchants raise
more tickets and give lower scores, more so during a decline before a
renewal (datagen.risk).
"""

import numpy as np
import pandas as pd

from datagen import catalog, dates, risk
from datagen.config import Config
from datagen.contact_table import ContactTable, MerchantContacts
from datagen.parallel import concat_parts, map_chunks
from datagen.parts import ColumnParts
from datagen.renewals import Decline, decline_in_force
from datagen.rng import stream

SECONDS_PER_DAY = 86_400
# Tickets per merchant per month grow with seats: 0.3 * seats ** 0.45 gives
# about 0.5 for three seats and 1.7 for forty-five.
TICKETS_PER_MONTH = 0.3
TICKET_SEAT_EXPONENT = 0.45
# Gamma shape of each merchant's ticket-rate multiplier (overdispersion);
# riskier merchants raise more tickets on top of it (datagen.risk).
TICKET_RATE_SHAPE = 2.0
RESOLUTION_SIGMA = 1.0
# NPS surveys go out quarterly, and each contact responds with this
# probability within the response window.
NPS_WAVE_DAYS = 91
NPS_RESPONSE_PROBABILITY = 0.22
NPS_RESPONSE_WINDOW_DAYS = 14
NPS_SPREAD = 1.8


def _activity_window(config: Config, merchant) -> tuple[int, int]:
    return max(int(merchant.go_live_day), config.start_day), min(
        int(merchant.end_day), config.last_day
    )


def _weighted_pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Pick one column per row with probability proportional to the row's weights."""
    totals = weights.sum(axis=1)
    cumulative = np.cumsum(weights, axis=1)
    target = rng.random(len(weights)) * totals
    return (cumulative < target[:, None]).sum(axis=1)


def _merchant_tickets(
    config: Config,
    rng: np.random.Generator,
    merchant,
    own: MerchantContacts,
    day_rate: np.ndarray,
    first: int,
    declines: list[Decline] | None,
) -> dict[str, np.ndarray] | None:
    """Draw one merchant's tickets over the days of ``day_rate`` from ``first``.

    Days inside a pre-renewal decline get more tickets, in proportion to
    its depth.
    """
    monthly = TICKETS_PER_MONTH * merchant.seats**TICKET_SEAT_EXPONENT
    multiplier = rng.gamma(TICKET_RATE_SHAPE, 1 / TICKET_RATE_SHAPE) * np.exp(
        risk.TICKETS_PER_RISK * merchant.risk
    )
    days = first + np.arange(len(day_rate))
    weight = day_rate * (
        1 + risk.TICKETS_PER_DECLINE * decline_in_force(declines, days)
    )
    months = len(day_rate) / 30.44 * weight.sum() / day_rate.sum()
    n = rng.poisson(monthly * multiplier * months)
    if n == 0:
        return None
    day = first + rng.choice(len(day_rate), size=n, p=weight / weight.sum())

    # The contact who raised it: anyone with access that day, heavy users more often.
    starts = own.start_day
    ends = own.activity_end_day
    active = (starts[None, :] <= day[:, None]) & (ends[None, :] >= day[:, None])
    weights = active * np.sqrt(own.rate)[None, :]
    picked = np.minimum(_weighted_pick(rng, weights), len(own) - 1)

    hour = (merchant.centre_hour + rng.normal(0, 2.0, n)) % 24
    opened = day * SECONDS_PER_DAY + (hour * 3600).astype(np.int64)
    priorities = list(catalog.TICKET_PRIORITIES)
    priority_p = np.array(list(catalog.TICKET_PRIORITIES.values()))
    priority = rng.choice(len(priorities), size=n, p=priority_p)
    categories = list(catalog.TICKET_CATEGORIES)
    category_p = np.array(list(catalog.TICKET_CATEGORIES.values()))
    category = rng.choice(len(categories), size=n, p=category_p)
    resolution = np.array([catalog.TICKET_RESOLUTION_HOURS[p] for p in priorities])
    hours_open = np.exp(rng.normal(np.log(resolution[priority]), RESOLUTION_SIGMA))
    closed = opened + (hours_open * 3600).astype(np.int64)
    still_open = closed >= config.as_of_day * SECONDS_PER_DAY

    columns = {
        "merchant_id": np.full(n, merchant.merchant_id),
        "contact_id": own.contact_id[picked],
        "opened_seconds": opened,
        "closed_seconds": np.where(still_open, -1, closed),
        "priority": np.array(priorities)[priority],
        "category": np.array(categories)[category],
        "status": np.where(still_open, "open", "closed"),
    }
    has_contact = active.any(axis=1)
    return {name: values[has_contact] for name, values in columns.items()}


def build_tickets(
    config: Config,
    merchants: pd.DataFrame,
    contacts: ContactTable,
    declines: dict[int, list[Decline]],
    processes: int = 1,
) -> pd.DataFrame:
    """Draw support tickets, numbered in the order they were opened.

    ``declines`` are the pre-renewal declines by merchant. ``processes``
    splits the merchants between that many processes, which never changes
    the tickets.
    """
    factors = dates.day_factors(config.start_day, config.last_day)
    rows = list(merchants.itertuples(index=False))

    def tickets_of(first: int, end: int) -> dict[str, np.ndarray] | None:
        parts = ColumnParts()
        for merchant in rows[first:end]:
            start, last = _activity_window(config, merchant)
            own = contacts.of(merchant.merchant_id)
            if start > last or len(own) == 0:
                continue
            rng = stream(config.seed, "support_tickets", merchant.merchant_id)
            day_rate = factors[start - config.start_day : last - config.start_day + 1]
            part = _merchant_tickets(
                config,
                rng,
                merchant,
                own,
                day_rate,
                start,
                declines.get(merchant.merchant_id),
            )
            if part is not None:
                parts.append(part)
        return parts.columns()

    frame = pd.DataFrame(concat_parts(map_chunks(tickets_of, len(rows), processes)))
    frame = frame.sort_values(["opened_seconds", "merchant_id"], kind="stable")
    frame.insert(0, "ticket_id", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def build_nps(
    config: Config,
    merchants: pd.DataFrame,
    contacts: ContactTable,
    declines: dict[int, list[Decline]],
    processes: int = 1,
) -> pd.DataFrame:
    """Draw quarterly survey responses, with lower scores inside pre-renewal declines.

    ``processes`` splits the merchants between that many processes, which
    does not change the responses.
    """
    waves = np.arange(
        config.last_day - NPS_RESPONSE_WINDOW_DAYS, config.start_day - 1, -NPS_WAVE_DAYS
    )
    waves = np.sort(waves)
    rows = list(merchants.itertuples(index=False))

    def answers_of(first: int, end: int) -> dict[str, np.ndarray] | None:
        parts = ColumnParts()
        for merchant in rows[first:end]:
            part = _merchant_answers(config, merchant, contacts, declines, waves)
            if part is not None:
                parts.append(part)
        return parts.columns()

    frame = pd.DataFrame(concat_parts(map_chunks(answers_of, len(rows), processes)))
    frame = frame.sort_values(
        ["response_day", "merchant_id", "contact_id"], kind="stable"
    )
    frame.insert(0, "response_id", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def _merchant_answers(
    config: Config,
    merchant,
    contacts: ContactTable,
    declines: dict[int, list[Decline]],
    waves: np.ndarray,
) -> dict[str, np.ndarray] | None:
    """Draw one merchant's survey answers; None when no contact answered."""
    first, last = _activity_window(config, merchant)
    own = contacts.of(merchant.merchant_id)
    if first > last or len(own) == 0:
        return None

    rng = stream(config.seed, "nps_responses", merchant.merchant_id)
    starts = own.start_day
    ends = np.minimum(own.activity_end_day, last)
    shape = (len(waves), len(own))
    answer_day = waves[:, None] + rng.integers(0, NPS_RESPONSE_WINDOW_DAYS, shape)
    answers = (
        (rng.random(shape) < NPS_RESPONSE_PROBABILITY)
        & (answer_day >= np.maximum(starts, first)[None, :])
        & (answer_day <= ends[None, :])
    )
    wave_index, contact_index = np.nonzero(answers)
    n = len(wave_index)
    if n == 0:
        return None

    response_day = answer_day[wave_index, contact_index]
    drop = risk.NPS_DROP_PER_DECLINE * decline_in_force(
        declines.get(merchant.merchant_id), response_day
    )
    score = np.clip(
        np.round(merchant.sentiment - drop + rng.normal(0, NPS_SPREAD, n)), 0, 10
    )
    return {
        "merchant_id": np.full(n, merchant.merchant_id),
        "contact_id": own.contact_id[contact_index],
        "response_day": response_day,
        "score": score.astype(np.int64),
    }
