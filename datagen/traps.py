"""SQL traps for the capstone query: the top 100 merchants by active ARR.

The query (exercise q2.at_risk_top100) sums active contracts per merchant,
compares distinct sessions of [as_of - 30, as_of) with [as_of - 60,
as_of - 30), ranks merchants with RANK() and keeps ranks up to 100. Each
trap below makes one common mistake change that result:

  several_active_contracts   GROUP BY renewal_date splits a merchant
  inactive_contracts         dropping the status filter changes totals and rows
  no_baseline                a CASE without the NULL branch flags 'Healthy'
  duplicate_sessions         COUNT(*) counts a redelivered session twice
  gone_dark                  an inner join drops merchants without sessions
  window_boundary_sessions   '>' instead of '>=' loses a boundary day
  exact_risk_bounds          -40.00 and -15.00 are 'Medium Risk' (inclusive)
  arr_tie_at_cutoff          ROW_NUMBER or LIMIT drops a tie, DENSE_RANK adds one

Traps pick merchants ranked 1 to 98 that no scenario uses, and keep each
merchant's active ARR unchanged, so the ranking they were picked from
stays valid. The tie is set after every other ARR change, then one
merchant just outside the top 100 gets a large cancelled contract.
"""

from collections.abc import Callable

import numpy as np

from datagen import catalog, dates
from datagen.config import TOP_N
from datagen.contracts import term_renewal
from datagen.plan import NO_END, Contract, Plan, Planted
from datagen.selection import recent_renewals

KIND = "sql_trap"
WINDOW_DAYS = 30
# Trap merchants come from places 1..98, clear of the tie at places 99-101.
TRAP_POOL_SIZE = TOP_N - 2
# The merchant outside the top 100 that the status-filter trap lifts sits at
# the first free place from here (1-based).
OUTSIDE_PLACE = TOP_N + 4
MIN_LIFT_DOLLARS = 1_000
# A planted cancelled contract started this many days before as-of.
CANCELLED_START_DAYS = (150, 330)
# A contract split into two starts its add-on at least 21 days before as-of
# and after the main contract, so the main one must be this old.
ADDON_MIN_AGE_DAYS = 60


def _trap_pool(
    plan: Plan,
    min_contacts: int = 1,
    baseline: bool = True,
    renewed: bool = True,
) -> list[int]:
    """Return free merchants in places 1..98 with enough activity for a trap.

    With ``renewed`` false, merchants with a recent renewal are left out.
    """
    since = plan.config.as_of_day - 3 * WINDOW_DAYS
    staying = plan.staying_counts(since)
    recent = () if renewed else recent_renewals(plan)
    pool = []
    for merchant_id in plan.ranking()[:TRAP_POOL_SIZE]:
        if not plan.is_free(merchant_id) or merchant_id in recent:
            continue
        if baseline and plan.merchants.loc[merchant_id, "go_live_day"] > since:
            continue
        if staying.get(merchant_id, 0) >= min_contacts:
            pool.append(merchant_id)
    return pool


def _pick(
    rng: np.random.Generator, plan: Plan, name: str, n: int, **pool_options
) -> list[int]:
    pool = _trap_pool(plan, **pool_options)
    if len(pool) < n:
        raise RuntimeError(
            f"trap {name} found {len(pool)} suitable merchants, needs {n}"
        )
    chosen = [int(m) for m in rng.choice(np.array(pool), size=n, replace=False)]
    for merchant_id in chosen:
        plan.claim(merchant_id, name)
    return chosen


def _place(plan: Plan, merchant_id: int) -> int:
    return plan.ranking().index(merchant_id) + 1


def _active(plan: Plan, merchant_id: int) -> list[Contract]:
    return [c for c in plan.contracts_of(merchant_id) if c.status == "active"]


def _dollars(cents: int) -> str:
    return f"{cents / 100:.2f}"


def several_active_contracts(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Plant two or more active contracts that renew on different days.

    A merchant with one active contract gets an add-on split off it, which
    keeps its total ARR.
    """
    name = "several_active_contracts"
    as_of = plan.config.as_of_day

    def splittable(merchant_id: int) -> bool:
        """Return whether the merchant has the trap already or room for an add-on."""
        active = _active(plan, merchant_id)
        if len({c.renewal_day for c in active}) > 1:
            return True
        main = max(active, key=lambda c: c.arr_cents)
        return (
            len(active) <= len(catalog.ADDON_PRODUCTS)
            and main.start_day <= as_of - ADDON_MIN_AGE_DAYS
        )

    candidates = [m for m in _trap_pool(plan, baseline=False) if splittable(m)]
    chosen = [int(m) for m in rng.choice(np.array(candidates), size=3, replace=False)]
    planted = []
    for merchant_id in chosen:
        plan.claim(merchant_id, name)
        active = _active(plan, merchant_id)
        split = len({c.renewal_day for c in active}) < 2
        if split:
            main = max(active, key=lambda c: c.arr_cents)
            held = {c.product for c in active}
            product = next(p for p in catalog.ADDON_PRODUCTS if p not in held)
            share_cents = (
                int(round(main.arr_cents * rng.uniform(0.2, 0.35) / 100)) * 100
            )
            low = max(main.start_day, as_of - 330)
            start = int(rng.integers(low, as_of - 20))
            if term_renewal(start, 12) == main.renewal_day:
                start += 7
            main.arr_cents -= share_cents
            plan.contracts.append(
                Contract(
                    merchant_id=merchant_id,
                    product=product,
                    plan_tier=main.plan_tier,
                    arr_cents=share_cents,
                    seats=main.seats,
                    signed_day=start - int(rng.integers(3, 20, endpoint=True)),
                    start_day=start,
                    renewal_day=term_renewal(start, 12),
                    status="active",
                    term_months=12,
                )
            )
        renewals = sorted({c.renewal_day for c in _active(plan, merchant_id)})
        planted.append(
            Planted(
                scenario=name,
                kind=KIND,
                merchant_id=merchant_id,
                details={
                    "active_contracts": len(_active(plan, merchant_id)),
                    "renewal_dates": [dates.to_date(d).isoformat() for d in renewals],
                    "split_from_one_contract": split,
                    "place": _place(plan, merchant_id),
                },
            )
        )
    return planted


def _cancelled_addon(
    plan: Plan, rng: np.random.Generator, merchant_id: int, arr_cents: int
) -> Contract:
    as_of = plan.config.as_of_day
    tier = plan.merchants.loc[merchant_id, "plan_tier"]
    start = as_of - int(rng.integers(*CANCELLED_START_DAYS))
    contract = Contract(
        merchant_id=merchant_id,
        product=str(rng.choice(catalog.ADDON_PRODUCTS)),
        plan_tier=tier,
        arr_cents=arr_cents,
        seats=int(plan.merchants.loc[merchant_id, "seats"]),
        signed_day=start - int(rng.integers(3, 20, endpoint=True)),
        start_day=start,
        renewal_day=term_renewal(start, 12),
        status="cancelled",
        term_months=12,
        cancel_day=start + int(rng.integers(30, 120)),
    )
    plan.contracts.append(contract)
    return contract


def inactive_contracts(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Plant a cancelled contract on top merchants that also hold expired terms."""
    name = "inactive_contracts"
    candidates = [
        m
        for m in _trap_pool(plan, baseline=False)
        if any(c.status == "expired" for c in plan.contracts_of(m))
    ]
    chosen = [int(m) for m in rng.choice(np.array(candidates), size=2, replace=False)]
    planted = []
    for merchant_id in chosen:
        plan.claim(merchant_id, name)
        total = sum(c.arr_cents for c in _active(plan, merchant_id))
        arr = int(round(total * rng.uniform(0.15, 0.4) / 100)) * 100
        cancelled = _cancelled_addon(plan, rng, merchant_id, arr)
        own = plan.contracts_of(merchant_id)
        planted.append(
            Planted(
                scenario=name,
                kind=KIND,
                merchant_id=merchant_id,
                details={
                    "expired_contracts": sum(c.status == "expired" for c in own),
                    "cancelled_contracts": sum(c.status == "cancelled" for c in own),
                    "cancelled_arr": _dollars(cancelled.arr_cents),
                    "place": _place(plan, merchant_id),
                    "outside_top_100": False,
                },
            )
        )
    return planted


def no_baseline(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Turn top merchants into new ones, live for less than 30 days.

    They signed 35-45 days ago and went live inside the last 30 days.

    They have no sessions in the prior window, so their change is NULL and
    the right flag is 'No Baseline'. Their active contracts keep their ARR
    and now start on the signup day; older terms and leavers are removed.
    """
    name = "no_baseline"
    as_of = plan.config.as_of_day
    planted = []
    for merchant_id in _pick(rng, plan, name, 2, baseline=False):
        signup = as_of - int(rng.integers(35, 45, endpoint=True))
        go_live = as_of - int(rng.integers(20, 29, endpoint=True))
        plan.merchants.loc[merchant_id, ["signup_day", "go_live_day"]] = [
            signup,
            go_live,
        ]
        plan.contracts = [
            c
            for c in plan.contracts
            if c.merchant_id != merchant_id or c.status == "active"
        ]
        for contract in _active(plan, merchant_id):
            contract.start_day = signup
            contract.signed_day = signup - int(rng.integers(1, 14, endpoint=True))
            contract.renewal_day = term_renewal(signup, contract.term_months)
            contract.plan_tier = plan.merchants.loc[merchant_id, "plan_tier"]
        plan.plan_changes = [
            c for c in plan.plan_changes if c.merchant_id != merchant_id
        ]
        contacts = plan.contacts_of(merchant_id)
        plan.contacts = plan.contacts.drop(
            index=contacts.index[contacts["end_day"] != NO_END]
        )
        for contact_id, contact in plan.contacts_of(merchant_id).iterrows():
            delay = (
                0
                if contact["is_key_contact"]
                else int(rng.integers(0, 10, endpoint=True))
            )
            plan.contacts.loc[contact_id, "start_day"] = min(go_live + delay, as_of - 1)
        planted.append(
            Planted(
                scenario=name,
                kind=KIND,
                merchant_id=merchant_id,
                event_day=go_live,
                details={
                    "signup_date": dates.to_date(signup).isoformat(),
                    "place": _place(plan, merchant_id),
                },
            )
        )
    return planted


def duplicate_sessions(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Deliver some sessions of top merchants twice, in both windows."""
    name = "duplicate_sessions"
    as_of = plan.config.as_of_day
    copies = 3
    planted = []
    for merchant_id in _pick(rng, plan, name, 3, min_contacts=2):
        edits = plan.edits_for(merchant_id)
        edits.duplicated.append((as_of - WINDOW_DAYS, as_of, copies))
        edits.duplicated.append((as_of - 2 * WINDOW_DAYS, as_of - WINDOW_DAYS, copies))
        planted.append(
            Planted(
                scenario=name,
                kind=KIND,
                merchant_id=merchant_id,
                details={
                    "copies_last_30d": copies,
                    "copies_prior_30d": copies,
                    "place": _place(plan, merchant_id),
                },
            )
        )
    return planted


def gone_dark(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """End all sessions of top merchants 32-45 days before as-of."""
    name = "gone_dark"
    as_of = plan.config.as_of_day
    planted = []
    # A merchant gone dark after a recent renewal would join the conflict
    # cohort of the business case, which only renewal_usage_drop plants.
    for merchant_id in _pick(rng, plan, name, 2, min_contacts=2, renewed=False):
        last_active = as_of - int(rng.integers(32, 45, endpoint=True))
        contacts = plan.contacts_of(merchant_id)
        plan.contacts.loc[contacts.index, "activity_end_day"] = np.minimum(
            contacts["activity_end_day"], last_active
        )
        plan.edits_for(merchant_id).required_windows.append(
            (as_of - 2 * WINDOW_DAYS, last_active + 1)
        )
        planted.append(
            Planted(
                scenario=name,
                kind=KIND,
                merchant_id=merchant_id,
                event_day=last_active,
                details={"place": _place(plan, merchant_id)},
            )
        )
    return planted


def window_boundary_sessions(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Add sessions of top merchants on exactly as_of - 30 and as_of - 60."""
    name = "window_boundary_sessions"
    as_of = plan.config.as_of_day
    boundaries = [as_of - WINDOW_DAYS, as_of - 2 * WINDOW_DAYS]
    planted = []
    for merchant_id in _pick(rng, plan, name, 2, min_contacts=2):
        plan.edits_for(merchant_id).extra_session_days.extend(boundaries)
        planted.append(
            Planted(
                scenario=name,
                kind=KIND,
                merchant_id=merchant_id,
                details={
                    "boundary_dates": [
                        dates.to_date(d).isoformat() for d in boundaries
                    ],
                    "place": _place(plan, merchant_id),
                },
            )
        )
    return planted


def exact_risk_bounds(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Trim sessions so that one change is exactly -40.00 percent, another -15.00.

    Both bounds belong to 'Medium Risk'. Sessions are trimmed so that last
    over prior distinct sessions is exactly 3/5 and 17/20.
    """
    name = "exact_risk_bounds"
    as_of = plan.config.as_of_day
    targets = [(-40.0, (3, 5)), (-15.0, (17, 20))]
    planted = []
    chosen = _pick(rng, plan, name, len(targets), min_contacts=5)
    for merchant_id, (change, ratio) in zip(chosen, targets, strict=True):
        edits = plan.edits_for(merchant_id)
        # Shape the decline first, so the trimming removes few sessions.
        factor = ratio[0] / ratio[1] * 1.1
        edits.usage_factors.append((as_of - WINDOW_DAYS, as_of, factor))
        edits.exact_ratio = ratio
        planted.append(
            Planted(
                scenario=name,
                kind=KIND,
                merchant_id=merchant_id,
                details={
                    "session_change_pct": change,
                    "place": _place(plan, merchant_id),
                },
            )
        )
    return planted


def _largest_active(plan: Plan, merchant_id: int) -> Contract:
    return max(_active(plan, merchant_id), key=lambda c: c.arr_cents)


def arr_tie_at_cutoff(plan: Plan, rng: np.random.Generator) -> list[Planted]:
    """Set places 99, 100 and 101 to one total active ARR, with place 102 lower.

    RANK gives all three rank 99, so ROW_NUMBER or LIMIT 100 drops one of
    them and DENSE_RANK lets the 102nd merchant in at rank 100.
    """
    name = "arr_tie_at_cutoff"
    ranking = plan.ranking()
    totals = plan.active_arr()
    tied = ranking[TOP_N - 2 : TOP_N + 1]
    target = totals[tied[1]]
    for merchant_id in (tied[0], tied[2]):
        contract = _largest_active(plan, merchant_id)
        contract.arr_cents += target - totals[merchant_id]
        if contract.arr_cents <= 0:
            raise RuntimeError(f"trap {name} cannot tie merchant {merchant_id}")
    above, below = ranking[TOP_N - 3], ranking[TOP_N + 1]
    if totals[above] <= target:
        _largest_active(plan, above).arr_cents += target - totals[above] + 100
    if totals[below] >= target:
        _largest_active(plan, below).arr_cents -= totals[below] - target + 100
    return [
        Planted(
            scenario=name,
            kind=KIND,
            merchant_id=merchant_id,
            details={"total_arr": _dollars(target), "rank": TOP_N - 1},
        )
        for merchant_id in tied
    ]


def inactive_contracts_outside_top(
    plan: Plan, rng: np.random.Generator
) -> list[Planted]:
    """Give a merchant just outside the top 100 a large cancelled contract.

    Summed over contracts of every status, its ARR ranks inside the top
    100, so a query without the status filter lists it.
    """
    name = "inactive_contracts"
    ranking = plan.ranking()
    oldest_start = plan.config.as_of_day - CANCELLED_START_DAYS[1]
    merchant_id = next(
        m
        for m in ranking[OUTSIDE_PLACE - 1 :]
        if plan.is_free(m) and plan.merchants.loc[m, "signup_day"] < oldest_start
    )
    plan.claim(merchant_id, name)
    everything = plan.all_status_arr()
    others = sorted(
        (v for m, v in everything.items() if m != merchant_id), reverse=True
    )
    needed = others[TOP_N // 2] - everything[merchant_id]
    arr = max(needed // 100 + 1, MIN_LIFT_DOLLARS) * 100
    _cancelled_addon(plan, rng, merchant_id, arr)
    everything = plan.all_status_arr()
    lifted_place = (
        sorted(everything.values(), reverse=True).index(everything[merchant_id]) + 1
    )
    return [
        Planted(
            scenario=name,
            kind=KIND,
            merchant_id=merchant_id,
            details={
                "cancelled_arr": _dollars(arr),
                "place": _place(plan, merchant_id),
                "outside_top_100": True,
                "place_without_status_filter": lifted_place,
            },
        )
    ]


Trap = Callable[[Plan, np.random.Generator], list[Planted]]
# Runs in this order after the scenarios. The tie comes after every other
# change to active ARR.
TRAPS: list[Trap] = [
    several_active_contracts,
    inactive_contracts,
    no_baseline,
    duplicate_sessions,
    gone_dark,
    window_boundary_sessions,
    exact_risk_bounds,
    arr_tie_at_cutoff,
    inactive_contracts_outside_top,
]
