"""Scenarios behind sharp drops of the usage score, and the coincidences
that make a one-rule explanation fail.

The usage score (kit.usage_score) compares the 28 days before as-of with
the 28 days before those, each against its own baseline. Four causes make
it fall sharply. The tracking break hits every merchant, and
tracking_break_exposure makes some lean on the broken event; a tier switch
that renames features and a champion's departure live in datagen.scenarios;
usage_collapse is a real fall in usage. Each cause happens 29 to 34 days
before as-of (SCORE_DROP_DAYS), almost wholly between the two readings.

score_drop_coincidences then adds what an investigator meets in real data:
a plan change that renames nothing beside a departure or a tracking
break, the broken event going missing at merchants whose drop has another
cause, and an ordinary contact leaving in the weeks of a tier switch. Each
is recorded in the answer key under its own scenario name.
"""

import numpy as np
import pandas as pd

from datagen import catalog, dates
from datagen.activity import MOBILE_EVENT_FACTOR
from datagen.contracts import renames_features
from datagen.plan import Contract, Plan, PlanChange, Planted
from datagen.selection import (
    KIND,
    is_retained,
    pick,
    recent_renewals,
    scenario_size,
)

# The causes of a sharp score drop happen inside this range of days before
# as-of, so they fall almost wholly between the score's two readings.
SCORE_DROP_DAYS = (29, 34)
# Merchants that plant a score drop have no other usage change from this
# many days before as-of, the span the two readings and their baselines see.
SCORE_STABLE_DAYS = 150
# Summed session rates of a merchant that plants a drop, in sessions per
# working day: about 60 sessions per 28 days, above the score's minimum of
# 40. When too few merchants reach it, the busiest ones are taken.
SCORE_MIN_DAILY_SESSIONS = 3.0
# Working days in 28 days, weighted by the weekday factors of
# datagen.dates: sessions per 28 days for a session rate of 1 per working day.
WEEKDAYS_PER_28_DAYS = 4 * float(dates.WEEKDAY_FACTOR.sum())
# A merchant whose drop lies in its feature events expects at least this
# many feature events per 28 days, well above the score's minimum of 40.
SCORE_MIN_EVENTS = 100

# tracking_break_exposure: the merchant's contacts work mostly in the app of
# the broken platform, update at once, and the broken event takes this share
# of the merchant's feature events.
EXPOSURE_CONTACTS = (2, 8)
EXPOSURE_MOBILE_SHARE = (0.95, 0.99)
EXPOSURE_UPDATE_LAG_DAYS = (0, 1)
EXPOSURE_FEATURE_SHARE = 0.9

# usage_collapse: every contact's session rate falls to this share (uniform)
# of its level, and the champion still logs in during the last days.
COLLAPSE_MIN_CONTACTS = 3
COLLAPSE_FACTOR = (0.1, 0.2)
COLLAPSE_CHAMPION_DAYS = (10, 3)

# Coincidences: a bystander's contacts use the broken platform's app for
# this share (uniform) of their sessions, and a plan change or a contact's
# exit lands within this many days of the merchant's drop.
BYSTANDER_MOBILE_SHARE = (0.4, 0.6)
COINCIDENCE_SPREAD_DAYS = 7
# A contact leaves only from a tier switch with at least this many ordinary
# contacts, so the score's events per user barely move with the exit.
CONTACT_EXIT_MIN_OTHERS = 3


def stable_for_score(plan: Plan, merchant_id: int) -> bool:
    """Return whether a merchant may plant a score drop.

    It is a free current customer, live before the score's span, with no
    other usage change in the span and the same contacts all through it:
    nobody joins, and nobody leaves before the last day of history.
    """
    as_of = plan.config.as_of_day
    since = as_of - SCORE_STABLE_DAYS
    if not (
        plan.is_free(merchant_id)
        and is_retained(plan, merchant_id)
        and plan.merchants.at[merchant_id, "go_live_day"] <= since
        and not plan.usage_changed_between(merchant_id, since, as_of)
    ):
        return False
    rows = plan.contact_rows(merchant_id)
    starts = plan.contacts["start_day"].to_numpy()[rows]
    ends = plan.contacts["activity_end_day"].to_numpy()[rows]
    present = ends >= since
    changed = (starts[present] > since) | (ends[present] < plan.config.last_day)
    return not changed.any()


def score_drop_day(plan: Plan, rng: np.random.Generator) -> int:
    """Draw the day a cause of a score drop happens (SCORE_DROP_DAYS)."""
    as_of = plan.config.as_of_day
    low = max(as_of - SCORE_DROP_DAYS[1], plan.config.start_day + 45)
    return int(rng.integers(low, as_of - SCORE_DROP_DAYS[0], endpoint=True))


def switch_core_contract(
    plan: Plan, rng: np.random.Generator, old: Contract, to_tier: str, change_day: int
) -> None:
    """Move a merchant's active core contract to ``to_tier`` from ``change_day``.

    The old contract is cancelled the day before, a contract on the new tier
    starts on the change day, co-termed with the old one and priced by
    catalog.TIER_PRICE, and the change is recorded in plan_changes.
    """
    merchant_id = old.merchant_id
    from_tier = plan.merchants.loc[merchant_id, "plan_tier"]
    old.status, old.cancel_day = "cancelled", change_day - 1
    price = catalog.TIER_PRICE[to_tier] / catalog.TIER_PRICE[from_tier]
    plan.contracts.append(
        Contract(
            merchant_id=merchant_id,
            product=old.product,
            plan_tier=to_tier,
            arr_cents=int(round(old.arr_cents * price / 100)) * 100,
            seats=old.seats,
            signed_day=change_day - int(rng.integers(2, 14, endpoint=True)),
            start_day=change_day,
            renewal_day=old.renewal_day,
            status="active",
            term_months=old.term_months,
        )
    )
    plan.plan_changes.append(PlanChange(merchant_id, change_day, from_tier, to_tier))
    plan.merchants.loc[merchant_id, "plan_tier"] = to_tier


def expected_events(plan: Plan, merchant_id: int, rate: float) -> float:
    """Return the feature events per 28 days of engaged users at ``rate``.

    ``rate`` is the merchant's summed session rate; engaged users have a
    depth factor of at least 1, so events per session are at least the
    merchant's feature depth times the mobile event factor.
    """
    depth = float(plan.merchants.loc[merchant_id, "feature_depth"])
    return WEEKDAYS_PER_28_DAYS * rate * depth * MOBILE_EVENT_FACTOR


def _score_candidates(
    plan: Plan,
    contacts: tuple[int, int],
    need_key: bool = False,
    need_events: bool = False,
) -> list[int]:
    """Return merchants fit to plant a score drop.

    They have from ``contacts[0]`` to ``contacts[1]`` contacts who stay
    through the score's span (one of them the key contact when
    ``need_key``) and no recent renewal. Merchants with at least
    SCORE_MIN_DAILY_SESSIONS summed session rates and, with
    ``need_events``, SCORE_MIN_EVENTS expected feature events per 28 days
    are preferred; when fewer than a scenario needs reach that, the
    busiest are taken.
    """
    staying = plan.staying_contacts(plan.config.as_of_day - SCORE_STABLE_DAYS)
    groups = staying.groupby("merchant_id")["rate"]
    count, total = groups.size(), groups.sum()
    with_key = set(staying.loc[staying["is_key_contact"], "merchant_id"])
    recent = recent_renewals(plan)
    pool = [
        int(merchant_id)
        for merchant_id in count.index
        if contacts[0] <= count[merchant_id] <= contacts[1]
        and (merchant_id in with_key or not need_key)
        and merchant_id not in recent
        and stable_for_score(plan, merchant_id)
    ]

    def activity(merchant_id: int) -> float:
        if need_events:
            return expected_events(plan, merchant_id, total[merchant_id])
        return WEEKDAYS_PER_28_DAYS * total[merchant_id]

    floor = SCORE_MIN_EVENTS if need_events else 0.0
    busy = [
        m for m in pool if total[m] >= SCORE_MIN_DAILY_SESSIONS and activity(m) >= floor
    ]
    if len(busy) < scenario_size(plan):
        busy = sorted(pool, key=lambda m: (-activity(m), m))[: scenario_size(plan)]
    return busy


def _break_details(plan: Plan) -> dict:
    item = plan.tracking_break
    return {
        "feature_name": item.feature_name,
        "platform": item.platform,
        "app_version": item.app_version,
        "break_date": dates.to_date(item.break_day).isoformat(),
    }


def tracking_break_exposure(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Make some merchants lean on the event the tracking break loses.

    Their contacts work mostly in the broken platform's app, update it
    within a day of a release and all use the features (none is a viewer),
    and the broken event takes EXPOSURE_FEATURE_SHARE of their feature
    events. Real usage never
    changes, but from the broken release on the tool sees most of their
    core events vanish.
    """
    name = "tracking_break_exposure"
    item = plan.tracking_break
    planted = []
    indexes, shares, lags = [], [], []
    for merchant_id in pick(
        rng,
        _score_candidates(plan, EXPOSURE_CONTACTS, need_events=True),
        scenario_size(plan),
        name,
    ):
        plan.claim(merchant_id, name)
        index = plan.contacts_of(merchant_id).index
        indexes.append(index)
        shares.append(rng.uniform(*EXPOSURE_MOBILE_SHARE, len(index)))
        lags.append(rng.integers(*EXPOSURE_UPDATE_LAG_DAYS, len(index), endpoint=True))
        edits = plan.edits_for(merchant_id)
        edits.adopted_features = (*edits.adopted_features, item.feature_name)
        edits.feature_share = (item.feature_name, EXPOSURE_FEATURE_SHARE)
        edits.engaged_contacts = True
        details = _break_details(plan) | {"feature_share": EXPOSURE_FEATURE_SHARE}
        planted.append(Planted(name, KIND, merchant_id, None, item.break_day, details))
    _set_devices(plan, indexes, shares, lags)
    return planted


def _set_devices(
    plan: Plan,
    indexes: list[pd.Index],
    shares: list[np.ndarray],
    lags: list[np.ndarray] | None = None,
) -> None:
    """Move the contacts at ``indexes`` to the broken platform's app.

    Each index gets its mobile shares and, when ``lags`` is given, its
    update lags. The values are set in one assignment per column, because
    each assignment takes time in proportion to the contacts table's length.
    """
    if not indexes:
        return
    index = indexes[0].append(indexes[1:])
    plan.contacts.loc[index, "mobile_platform"] = plan.tracking_break.platform
    plan.contacts.loc[index, "mobile_share"] = np.concatenate(shares)
    if lags is not None:
        plan.contacts.loc[index, "update_lag"] = np.concatenate(lags)


def _make_champion_heaviest(plan: Plan, merchant_id: int) -> int:
    """Swap session rates so the key contact is the heaviest user; return it."""
    contacts = plan.contacts_of(merchant_id)
    key = int(contacts.index[contacts["is_key_contact"]][0])
    heaviest = int(contacts["rate"].idxmax())
    if heaviest != key:
        key_rate = plan.contacts.loc[key, "rate"]
        plan.contacts.loc[key, "rate"] = plan.contacts.loc[heaviest, "rate"]
        plan.contacts.loc[heaviest, "rate"] = key_rate
    return key


def _weekdays_before(as_of: int, offsets: tuple[int, ...]) -> list[int]:
    """Return, per offset, the latest working day at least that many days back."""
    days = []
    for offset in offsets:
        day = as_of - offset
        while dates.weekday(day) >= 5:
            day -= 1
        days.append(int(day))
    return days


def usage_collapse(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Cut every contact's usage to 10-20 percent from one day on.

    The whole team works less in the product from a day 29 to 34 days
    before as-of: real disengagement, visible in sessions, users and
    events alike. The champion, the heaviest user, keeps logging in now
    and then, so the account does not look like a departure.
    """
    name = "usage_collapse"
    as_of = plan.config.as_of_day
    candidates = _score_candidates(plan, (COLLAPSE_MIN_CONTACTS, 10**6), True)
    planted = []
    for merchant_id in pick(rng, candidates, scenario_size(plan), name):
        plan.claim(merchant_id, name)
        _make_champion_heaviest(plan, merchant_id)
        day = score_drop_day(plan, rng)
        factor = float(rng.uniform(*COLLAPSE_FACTOR))
        edits = plan.edits_for(merchant_id)
        edits.usage_factors.append((day, as_of, factor))
        # The two heaviest users, the champion first, log in on these days.
        edits.extra_session_days.extend(_weekdays_before(as_of, COLLAPSE_CHAMPION_DAYS))
        details = {"usage_factor": round(factor, 3)}
        planted.append(Planted(name, KIND, merchant_id, None, day, details))
    return planted


def _first_day_of(plan: Plan, scenario: str) -> dict[int, int]:
    """Return the planted merchants of ``scenario`` and their event days."""
    return {
        item.merchant_id: item.event_day
        for item in plan.planted
        if item.scenario == scenario
    }


def _quiet_switch_target(plan: Plan, merchant_id: int, day: int) -> Contract | None:
    """Return the core contract a plan change on ``day`` could move, if any."""
    for contract in plan.contracts_of(merchant_id):
        if (
            contract.status == "active"
            and contract.product == catalog.CORE_PRODUCT
            and contract.start_day < day
            and contract.renewal_day > plan.config.as_of_day + 30
        ):
            return contract
    return None


def _plan_change_without_rename(
    plan: Plan, rng: np.random.Generator, merchants: dict[int, int], cause: str
) -> list[Planted]:
    """Give every third merchant a plan change that renames no feature.

    The change lands within COINCIDENCE_SPREAD_DAYS of the merchant's own
    drop. Merchants without a core contract the change could move are
    passed over.
    """
    planted = []
    wanted = (len(merchants) + 2) // 3
    # The loop adds changes only for merchants it has passed, so this set
    # stays true for those it checks.
    with_changes = {change.merchant_id for change in plan.plan_changes}
    for merchant_id, event_day in sorted(merchants.items()):
        if len(planted) == wanted:
            break
        spread = COINCIDENCE_SPREAD_DAYS
        day = event_day + int(rng.integers(-spread, spread, endpoint=True))
        day = min(day, plan.config.as_of_day - 14)
        contract = _quiet_switch_target(plan, merchant_id, day)
        if contract is None or merchant_id in with_changes:
            continue
        from_tier = plan.merchants.loc[merchant_id, "plan_tier"]
        options = [
            tier
            for tier in catalog.TIERS
            if tier != from_tier and not renames_features(from_tier, tier)
        ]
        to_tier = str(rng.choice(options))
        switch_core_contract(plan, rng, contract, to_tier, day)
        details = {"with": cause, "from_tier": from_tier, "to_tier": to_tier}
        planted.append(
            Planted("plan_change_without_rename", KIND, merchant_id, None, day, details)
        )
    return planted


def _bystanders(
    plan: Plan,
    rng: np.random.Generator,
    merchants: list[int],
    cause: str,
    spare: set[int] = frozenset(),
) -> list[Planted]:
    """Put contacts of ``merchants`` on the broken app, using the broken event.

    Their broken events vanish with everyone's, though their drop has
    another cause. Contacts in ``spare`` keep their devices.
    """
    item = plan.tracking_break
    planted = []
    indexes, shares = [], []
    for merchant_id in merchants:
        contacts = plan.contacts_of(merchant_id)
        index = contacts.index[~contacts.index.isin(list(spare))]
        indexes.append(index)
        shares.append(rng.uniform(*BYSTANDER_MOBILE_SHARE, len(index)))
        edits = plan.edits_for(merchant_id)
        edits.adopted_features = (*edits.adopted_features, item.feature_name)
        details = _break_details(plan) | {"with": cause}
        planted.append(
            Planted(
                "broken_event_bystander",
                KIND,
                merchant_id,
                None,
                item.break_day,
                details,
            )
        )
    _set_devices(plan, indexes, shares)
    return planted


def _contact_exits(
    plan: Plan, rng: np.random.Generator, merchants: dict[int, int]
) -> list[Planted]:
    """End the access of one light, ordinary contact at every other merchant.

    Only merchants with CONTACT_EXIT_MIN_OTHERS ordinary contacts qualify.
    The contact leaves within COINCIDENCE_SPREAD_DAYS of the merchant's
    tier switch, and the CRM records the end date.
    """
    as_of = plan.config.as_of_day
    staying = plan.staying_contacts(as_of - SCORE_STABLE_DAYS)
    ordinary = staying[~staying["is_key_contact"]]
    counts = ordinary.groupby("merchant_id").size()
    eligible = [
        m for m in sorted(merchants) if counts.get(m, 0) >= CONTACT_EXIT_MIN_OTHERS
    ]
    lightest = ordinary.groupby("merchant_id")["rate"].idxmin()
    planted = []
    for merchant_id in eligible[::2]:
        contact_id = int(lightest[merchant_id])
        spread = COINCIDENCE_SPREAD_DAYS
        day = merchants[merchant_id] + int(rng.integers(-spread, spread, endpoint=True))
        day = min(day, as_of - 14)
        planted.append(
            Planted(
                "contact_exit",
                KIND,
                merchant_id,
                contact_id,
                day,
                {"with": "tier_switch", "crm_end_date_set": True},
            )
        )
    if planted:
        exits = [item.contact_id for item in planted]
        days = [item.event_day for item in planted]
        plan.contacts.loc[exits, "activity_end_day"] = days
        plan.contacts.loc[exits, "end_day"] = days
    return planted


def score_drop_coincidences(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Add the coincidences that make a one-rule explanation of a drop fail.

    Every third departure and every third tracking-break merchant gets a
    plan change that renames no feature. Every other remaining departure
    and every other usage collapse become bystanders of the tracking break,
    though the departed champion keeps their own device. Every other tier
    switch loses a light contact, with the end date in the CRM.
    """
    departures = _first_day_of(plan, "key_contact_departure")
    champions = {
        item.contact_id
        for item in plan.planted
        if item.scenario == "key_contact_departure"
    }
    exposed = _first_day_of(plan, "tracking_break_exposure")
    collapses = sorted(_first_day_of(plan, "usage_collapse"))
    switches = _first_day_of(plan, "tier_switch")

    planted = _plan_change_without_rename(
        plan, rng, departures, "key_contact_departure"
    )
    planted += _plan_change_without_rename(
        plan, rng, exposed, "tracking_break_exposure"
    )
    changed = {item.merchant_id for item in planted}
    unchanged = [m for m in sorted(departures) if m not in changed]
    planted += _bystanders(
        plan, rng, unchanged[::2], "key_contact_departure", spare=champions
    )
    planted += _bystanders(plan, rng, collapses[::2], "usage_collapse")
    planted += _contact_exits(plan, rng, switches)
    return planted
