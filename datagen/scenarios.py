"""Planted scenarios: stories in the data that the exercises ask about.

Each scenario is a function that picks its merchants, edits the plan (the
dimension tables and the merchants' ActivityEdits) and returns its ground
truth as Planted rows for the answer key. SCENARIOS lists them in the order
they run; a new scenario is one more function in that list. Each draws from
its own random stream, so adding one shifts no other. The scenarios that
shape usage over weeks live in datagen.usage_scenarios.
"""

from collections.abc import Callable

import numpy as np

from datagen import catalog, dates
from datagen.config import TOP_N
from datagen.contracts import renames_features, term_renewal
from datagen.plan import Contract, Plan, Planted, TrackingBreak
from datagen.releases import add_patch
from datagen.score_drop_scenarios import (
    SCORE_DROP_DAYS,
    SCORE_MIN_EVENTS,
    SCORE_STABLE_DAYS,
    expected_events,
    score_drop_coincidences,
    score_drop_day,
    stable_for_score,
    switch_core_contract,
    tracking_break_exposure,
    usage_collapse,
)
from datagen.selection import (
    KIND,
    RECENT_RENEWAL_DAYS,
    is_retained,
    pick,
    recent_renewals,
    scenario_size,
)
from datagen.usage_scenarios import expansion_ready, quiet_decline, seasonal_dip

# renewal_usage_drop: sessions fall to this share of the merchant's own
# level from the drop day, and the last 30 days are capped at half of the
# average 30 days in the 90 days before the renewal was signed. Merchants
# expected to hold fewer sessions a month than DROP_MIN_EXPECTED_SESSIONS
# are too small to plant on; the conflict rule ignores baselines under
# CONFLICT_MIN_BASELINE sessions a month.
DROP_USAGE_FACTOR = 0.4
DROP_CAP_RATIO = 0.5
RENEWAL_LOOKBACK_DAYS = RECENT_RENEWAL_DAYS
DROP_MIN_EXPECTED_SESSIONS = 40
CONFLICT_MIN_BASELINE = 20
# key_contact_departure: contacts besides the champion who keep working,
# at least this many and at most the second value.
REMAINING_CONTACTS = (2, 5)
# The champion's session rate is at least this multiple of any other contact's.
CHAMPION_LEAD = 2.0
# The champion's share of the merchant's summed session rates.
CHAMPION_SHARE = 0.8
# Summed session rates of the other contacts, in sessions per working day.
DEPARTURE_MIN_OTHERS_RATE = 0.6
# broken_tracking_event: the broken patch ships this many days before
# as-of (uniform), between the usage score's two readings.
BREAK_DAYS = (29, 34)
SWITCH_MIN_DAILY_SESSIONS = 3.0
# tier_switch: reports, the core feature the new tier renames, takes this
# share of the merchant's feature events.
SWITCH_REPORTS_SHARE = 0.85


def _early_renewal(
    plan: Plan, rng: np.random.Generator, old: Contract, first: int, last: int
) -> Contract:
    """Renew ``old`` early: a new term starts between ``first`` and ``last``.

    The old term ends on the new start and becomes 'expired'.
    """
    start = int(rng.integers(first, last, endpoint=True))
    old.status, old.renewal_day = "expired", start
    new = Contract(
        merchant_id=old.merchant_id,
        product=old.product,
        plan_tier=plan.merchants.loc[old.merchant_id, "plan_tier"],
        arr_cents=int(round(old.arr_cents * rng.uniform(1.0, 1.06) / 100)) * 100,
        seats=old.seats,
        signed_day=start - int(rng.integers(3, 20, endpoint=True)),
        start_day=start,
        renewal_day=term_renewal(start, old.term_months),
        status="active",
        term_months=old.term_months,
    )
    plan.contracts.append(new)
    return new


def renewal_usage_drop(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Plant renewals followed by a usage drop of about 60 percent.

    Each renewal was signed in the 90 days before as-of and is the
    merchant's only recent renewal (selection.recent_renewals). From the
    drop day every contact uses the product less. Merchants whose term
    renewed in that span are preferred, half of them from the top 100 by
    ARR so the capstone at-risk list shows some. When too few renewed,
    others renew early. Usage is untouched by any other edit from 90 days
    before the signing on, so the drop is the only change.

    These merchants, and no others, meet the conflict rule (CONFLICT_RULE):
    for the merchant's latest renewal signed in [as_of - 90, as_of), the
    baseline is its distinct sessions in the 90 days before the signing
    divided by 3; it is at least CONFLICT_MIN_BASELINE, and the distinct
    sessions of [as_of - 30, as_of) are at most DROP_CAP_RATIO times it.
    """
    name = "renewal_usage_drop"
    config = plan.config
    as_of = config.as_of_day
    drop_low = max(as_of - 60, config.start_day + 3 * 30)
    drop_high = as_of - 30
    signed_low = as_of - RENEWAL_LOOKBACK_DAYS
    baseline_low = signed_low - RENEWAL_LOOKBACK_DAYS
    n = scenario_size(plan)
    staying = plan.staying_contacts(baseline_low)
    expected = (staying.groupby("merchant_id")["rate"].sum() * 30).to_dict()
    sizes = staying.groupby("merchant_id").size().to_dict()
    recent = recent_renewals(plan)

    def suitable(merchant_id: int) -> bool:
        return (
            plan.is_free(merchant_id)
            and is_retained(plan, merchant_id)
            and plan.merchants.loc[merchant_id, "go_live_day"] <= baseline_low
            and sizes.get(merchant_id, 0) >= 3
            and expected.get(merchant_id, 0) >= DROP_MIN_EXPECTED_SESSIONS
            and not plan.usage_changed_between(merchant_id, baseline_low, as_of)
        )

    renewed: dict[int, Contract] = {
        merchant_id: contracts[0]
        for merchant_id, contracts in recent.items()
        if len(contracts) == 1
        and contracts[0].signed_day < drop_high
        and suitable(merchant_id)
    }
    top = set(plan.ranking()[: TOP_N - 2])
    in_top = [m for m in renewed if m in top]
    picked = pick(rng, in_top, min((n + 1) // 2, len(in_top)), name)
    rest = [m for m in renewed if m not in picked]
    picked += pick(rng, rest, min(n - len(picked), len(rest)), name)
    chosen = [(m, renewed[m], False) for m in picked]

    if len(chosen) < n:
        cores = {
            c.merchant_id: c
            for c in plan.contracts
            if c.status == "active"
            and c.product == catalog.CORE_PRODUCT
            and c.start_day < signed_low - 30
            and c.merchant_id not in recent
            and suitable(c.merchant_id)
        }
        for merchant_id in pick(rng, list(cores), n - len(chosen), name):
            new = _early_renewal(
                plan, rng, cores[merchant_id], signed_low + 20, drop_high - 5
            )
            chosen.append((merchant_id, new, True))

    planted = []
    for merchant_id, contract, early_renewal in chosen:
        plan.claim(merchant_id, name)
        first_drop = max(drop_low, contract.signed_day + 1)
        drop_day = int(rng.integers(first_drop, drop_high, endpoint=True))
        edits = plan.edits_for(merchant_id)
        edits.usage_factors.append((drop_day, as_of, DROP_USAGE_FACTOR))
        signed = contract.signed_day
        edits.capped_drop = (signed - RENEWAL_LOOKBACK_DAYS, signed, DROP_CAP_RATIO)
        details = {
            "product": contract.product,
            "renewal_signed_date": dates.to_date(contract.signed_day).isoformat(),
            "renewal_start_date": dates.to_date(contract.start_day).isoformat(),
            "early_renewal": early_renewal,
            "usage_drop_pct": round((1 - DROP_USAGE_FACTOR) * 100),
        }
        planted.append(Planted(name, KIND, merchant_id, None, drop_day, details))
    return planted


def keep_other_renewals_level(plan: Plan) -> None:
    """Keep every other merchant with a recent renewal out of the conflict rule.

    Runs after every scenario and trap. A merchant that renewed recently and
    was not planted by renewal_usage_drop, whose last 30 days fell to
    DROP_CAP_RATIO of its baseline by chance (a heavy user leaving a small
    account), gets sessions added to the last 30 days to just above it.
    """
    for merchant_id, contracts in recent_renewals(plan).items():
        if plan.claimed.get(merchant_id) == "renewal_usage_drop":
            continue
        signed = max(contract.signed_day for contract in contracts)
        plan.edits_for(merchant_id).floored_drop = (
            signed - RENEWAL_LOOKBACK_DAYS,
            signed,
            DROP_CAP_RATIO,
        )


def key_contact_departure(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """End the champion's activity while the other contacts carry on.

    The champion is the key contact and the heaviest user, with
    CHAMPION_SHARE of the merchant's sessions, and leaves 29 to 34 days
    before as-of, so the usage score falls sharply. Half of these merchants
    have the leaving date in contacts.end_date. For the others the CRM still
    shows the champion as current, so only the activity reveals the
    departure.
    """
    config = plan.config
    as_of = config.as_of_day
    n = scenario_size(plan)
    recent = recent_renewals(plan)
    staying = plan.staying_contacts(as_of - SCORE_STABLE_DAYS)
    others = staying[~staying["is_key_contact"]].groupby("merchant_id")["rate"]
    counts, others_rate = others.size(), others.sum()
    with_key = set(staying.loc[staying["is_key_contact"], "merchant_id"])
    candidates = [
        int(merchant_id)
        for merchant_id, count in counts.items()
        if REMAINING_CONTACTS[0] <= count <= REMAINING_CONTACTS[1]
        and others_rate[merchant_id] >= DEPARTURE_MIN_OTHERS_RATE
        and merchant_id in with_key
        and merchant_id not in recent
        and stable_for_score(plan, merchant_id)
    ]
    planted = []
    # New contact values by contact id, set on the table after the loop
    # because each assignment to it takes time in proportion to its length.
    new_rates: dict[int, float] = {}
    activity_ends: dict[int, int] = {}
    crm_ends: dict[int, int] = {}
    for position, merchant_id in enumerate(
        pick(rng, candidates, n, "key_contact_departure")
    ):
        plan.claim(merchant_id, "key_contact_departure")
        contacts = plan.contacts_of(merchant_id)
        key = int(contacts.index[contacts["is_key_contact"]][0])
        rates = contacts["rate"].copy()
        heaviest = int(rates.idxmax())
        rates[key], rates[heaviest] = rates[heaviest], rates[key]
        # Keep the champion clearly the heaviest user, whatever the draws,
        # and the one who carries most of the account's usage.
        runner_up = rates.drop(index=key).max()
        share_rate = CHAMPION_SHARE / (1 - CHAMPION_SHARE) * others_rate[merchant_id]
        rates[key] = max(rates[key], CHAMPION_LEAD * runner_up, share_rate)
        new_rates[key] = rates[key]
        new_rates[heaviest] = rates[heaviest]
        leave = score_drop_day(plan, rng)
        crm_updated = position % 2 == 0
        activity_ends[key] = leave
        if crm_updated:
            crm_ends[key] = leave
        planted.append(
            Planted(
                scenario="key_contact_departure",
                kind=KIND,
                merchant_id=merchant_id,
                contact_id=key,
                event_day=leave,
                details={"crm_end_date_set": crm_updated},
            )
        )
    for column, values in (
        ("rate", new_rates),
        ("activity_end_day", activity_ends),
        ("end_day", crm_ends),
    ):
        if values:
            plan.contacts.loc[list(values), column] = list(values.values())
    return planted


def _keep_declines_off(plan: Plan, platform: str) -> None:
    """Move the contacts of planted usage declines off the broken app.

    Their drops are real disengagement, and with the broken platform's app
    in their hands part of a drop would be the break's too.
    """
    other = next(p for p in catalog.MOBILE_PLATFORMS if p != platform)
    declining = [
        merchant_id
        for merchant_id, scenario in plan.claimed.items()
        if scenario in ("renewal_usage_drop", "quiet_decline")
    ]
    contacts = plan.contacts
    moved = contacts["merchant_id"].isin(declining) & (
        contacts["mobile_platform"] == platform
    )
    contacts.loc[moved, "mobile_platform"] = other


def broken_tracking_event(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Drop one feature event from a mobile release on, for every merchant.

    A patch of one mobile app ships 29 to 34 days before as-of (BREAK_DAYS)
    without the event, and every later release of the platform leaves it
    out too. Sessions from those releases are logged as usual, so the
    feature's usage seems to fall while real usage does not.
    """
    platform = str(rng.choice(catalog.MOBILE_PLATFORMS))
    day = plan.config.as_of_day - int(rng.integers(*BREAK_DAYS, endpoint=True))
    plan.releases, version = add_patch(plan.releases, platform, day)
    feature = str(rng.choice(catalog.BREAKABLE_FEATURES))
    plan.tracking_break = TrackingBreak(feature, platform, version, day)
    _keep_declines_off(plan, platform)
    return [
        Planted(
            scenario="broken_tracking_event",
            kind=KIND,
            merchant_id=None,
            event_day=day,
            details={
                "feature_name": feature,
                "platform": platform,
                "app_version": version,
            },
        )
    ]


def tier_switch(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Switch merchants to a tier that logs some features under new names.

    The old core contract is cancelled and a contract on the new tier starts
    on the change day, 29 to 34 days before as-of, co-termed with the old
    one. Real usage does not change, but renamed features (reports becomes
    insights_reports) are logged under their new names from the change day.
    Reports takes SWITCH_REPORTS_SHARE of the merchant's feature events, so
    the usage score, which counts only the old names, falls sharply.
    """
    config = plan.config
    as_of = config.as_of_day
    change_low = as_of - SCORE_DROP_DAYS[1]
    from_tiers = {switch[0] for switch in catalog.TIER_SWITCHES}
    n = scenario_size(plan)
    cores = {
        c.merchant_id: c
        for c in plan.contracts
        if c.status == "active"
        and c.product == catalog.CORE_PRODUCT
        and c.start_day < change_low
        and c.renewal_day > as_of + 30
    }
    # Expected sessions per working day of the contacts who stay, so that the
    # renamed events show up in the weeks after the switch.
    staying = plan.staying_contacts(as_of - SCORE_STABLE_DAYS)
    usage = staying.groupby("merchant_id")["rate"].sum()
    changed = {c.merchant_id for c in plan.plan_changes}
    recent = recent_renewals(plan)
    candidates = [
        merchant_id
        for merchant_id in cores
        if stable_for_score(plan, merchant_id)
        and merchant_id not in recent
        and plan.merchants.at[merchant_id, "plan_tier"] in from_tiers
        and plan.merchants.at[merchant_id, "go_live_day"] < config.start_day
        and merchant_id in usage.index
        and merchant_id not in changed
    ]
    busy = [
        m
        for m in candidates
        if usage[m] >= SWITCH_MIN_DAILY_SESSIONS
        and expected_events(plan, m, usage[m]) >= SCORE_MIN_EVENTS
    ]
    if len(busy) < n:
        busy = sorted(candidates, key=lambda m: (-usage[m], m))[:n]
    candidates = busy
    renamed = {f.name: f.renamed for f in catalog.FEATURES if f.renamed}
    planted = []
    for merchant_id in pick(rng, candidates, n, "tier_switch"):
        plan.claim(merchant_id, "tier_switch")
        from_tier = plan.merchants.loc[merchant_id, "plan_tier"]
        options = [to for start, to in catalog.TIER_SWITCHES if start == from_tier]
        to_tier = str(rng.choice(options))
        assert renames_features(from_tier, to_tier)
        change_day = score_drop_day(plan, rng)
        switch_core_contract(plan, rng, cores[merchant_id], to_tier, change_day)
        edits = plan.edits_for(merchant_id)
        edits.adopted_features = ("reports",)
        edits.feature_share = ("reports", SWITCH_REPORTS_SHARE)
        edits.engaged_contacts = True
        planted.append(
            Planted(
                scenario="tier_switch",
                kind=KIND,
                merchant_id=merchant_id,
                event_day=change_day,
                details={
                    "from_tier": from_tier,
                    "to_tier": to_tier,
                    "renamed": renamed,
                },
            )
        )
    return planted


Scenario = Callable[[Plan, np.random.Generator], list[Planted]]
# Runs in this order, before the SQL traps. seasonal_dip comes before the
# scenarios that avoid merchants whose usage another edit changes, and the
# coincidences come after every cause of a score drop they decorate.
SCENARIOS: list[Scenario] = [
    renewal_usage_drop,
    key_contact_departure,
    broken_tracking_event,
    tier_switch,
    seasonal_dip,
    expansion_ready,
    quiet_decline,
    tracking_break_exposure,
    usage_collapse,
    score_drop_coincidences,
]
