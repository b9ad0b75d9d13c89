"""The in-memory plan of a dataset: dimension tables and activity edits.

Generation runs in two phases. First the small tables (merchants, contacts,
contracts, plan changes) are built in memory, and the scenarios and SQL traps
edit them and register ``ActivityEdits`` for the merchants they touch. Then
the activity tables are generated merchant by merchant from the plan, so a
scenario's effect is part of the data rather than patched in afterwards.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from datagen.config import Config
from datagen.pools import NamePools
from datagen.releases import Releases

# Stands in for "no end date" in integer day columns.
NO_END = np.iinfo(np.int32).max


@dataclass(slots=True)
class Contract:
    """One contract term; ``contract_id`` is assigned when the plan is final.

    Slotted, like the plan's other many small records: at 100,000 merchants
    there are about 350,000 contracts, and a per-instance dict would take
    several times the memory of the values.
    """

    merchant_id: int
    product: str
    plan_tier: str
    arr_cents: int
    seats: int
    signed_day: int
    start_day: int
    renewal_day: int
    status: str
    term_months: int
    # Last billed day of a cancelled contract.
    cancel_day: int | None = None
    contract_id: int = 0
    # Set on a term whose renewal inside the history was decided by a draw:
    # the risk score behind the draw and the chance that the term lapsed.
    renewal_risk: float | None = None
    lapse_probability: float | None = None
    # Decline before the renewal (datagen.renewals): (first, end, depth), the
    # half-open window of days it covers and the share of usage lost by the
    # renewal date.
    decline: tuple[int, int, float] | None = None


@dataclass(slots=True)
class PlanChange:
    merchant_id: int
    change_day: int
    from_tier: str
    to_tier: str


@dataclass(slots=True)
class ActivityEdits:
    """Changes a scenario or trap makes to one merchant's generated activity.

    Days are day numbers; windows are half-open ``(first, end)`` ranges.
    """

    # Multiply every contact's session rate by ``factor`` on days in the window.
    usage_factors: list[tuple[int, int, float]] = field(default_factory=list)
    # (first, end, first_factor, end_factor): multiply every contact's session
    # rate by a factor that moves linearly from first_factor on ``first``
    # towards end_factor at ``end``. Days outside the window keep their rate.
    usage_ramps: list[tuple[int, int, float, float]] = field(default_factory=list)
    # (first, end, ratio): keep sessions of the last 30 days at most
    # ``ratio`` times the average 30 days of the baseline [first, end).
    capped_drop: tuple[int, int, float] | None = None
    # (first, end, ratio): the opposite, keep sessions of the last 30 days
    # above ``ratio`` times the average 30 days of [first, end).
    floored_drop: tuple[int, int, float] | None = None
    # Days that get extra sessions from an active contact.
    extra_session_days: list[int] = field(default_factory=list)
    # Windows that must contain at least one session.
    required_windows: list[tuple[int, int]] = field(default_factory=list)
    # (numerator, denominator): trim sessions so that distinct sessions of the
    # last 30 days over the prior 30 days equal this ratio exactly.
    exact_ratio: tuple[int, int] | None = None
    # (first, end, count): sessions in the window delivered twice.
    duplicated: list[tuple[int, int, int]] = field(default_factory=list)
    # Features the merchant uses regardless of its random adoption draw.
    adopted_features: tuple[str, ...] = ()
    # (feature, share): the feature takes this share of the merchant's
    # feature events, the other adopted features sharing the rest.
    feature_share: tuple[str, float] | None = None
    # No contact of the merchant is a viewer: every contact's factor on the
    # merchant's feature depth is at least 1 (datagen.adoption).
    engaged_contacts: bool = False
    # (first, end): every contact with access on each day of the window has
    # at least one session in it.
    all_contacts_active: tuple[int, int] | None = None
    # (baseline_first, baseline_end, last_first, ratio): trim sessions of
    # [last_first, as_of) to at most ``ratio`` times the baseline window's
    # sessions per day, times the days of [last_first, as_of).
    capped_decline: tuple[int, int, int, float] | None = None

    def changes_usage_between(self, first: int, end: int) -> bool:
        """Return whether a usage factor or ramp applies to a day in [first, end)."""
        windows = [(a, b) for a, b, _ in self.usage_factors]
        windows += [(a, b) for a, b, _, _ in self.usage_ramps]
        return any(a < end and first < b for a, b in windows)


@dataclass(frozen=True)
class TrackingBreak:
    """A feature event that a client release stopped sending.

    ``app_version`` is the first broken release of ``platform``; every later
    release of that platform leaves the event out too.
    """

    feature_name: str
    platform: str
    app_version: str
    break_day: int


@dataclass(slots=True)
class Planted:
    """Ground truth for one merchant (or the whole dataset) in one scenario."""

    scenario: str
    kind: str
    merchant_id: int | None
    contact_id: int | None = None
    event_day: int | None = None
    details: dict = field(default_factory=dict)


@dataclass
class Plan:
    """The in-memory plan of one dataset.

    Writing the dataset sets a part to None once it is written and no later
    step reads it (contacts, pools, contracts, merchants, edits), which
    frees its memory.
    """

    config: Config
    merchants: pd.DataFrame
    contacts: pd.DataFrame
    contracts: list[Contract]
    plan_changes: list[PlanChange]
    releases: Releases
    edits: dict[int, ActivityEdits] = field(default_factory=dict)
    tracking_break: TrackingBreak | None = None
    planted: list[Planted] = field(default_factory=list)
    claimed: dict[int, str] = field(default_factory=dict)
    # Name pools for contacts that scenarios add.
    pools: NamePools | None = None
    # Contact rows grouped by merchant and contracts by merchant, with the
    # objects they were computed from: rebuilt when those are replaced or,
    # for the contracts list, grow.
    _contact_groups: tuple | None = field(default=None, repr=False)
    _contract_groups: tuple | None = field(default=None, repr=False)

    def forget_groups(self) -> None:
        """Drop the groupings that planting uses, once the plan is final.

        The contact grouping keeps the frame it was built from, which is a
        second copy of the contacts once a scenario has replaced the frame.
        """
        self._contact_groups = None
        self._contract_groups = None

    def edits_for(self, merchant_id: int) -> ActivityEdits:
        return self.edits.setdefault(merchant_id, ActivityEdits())

    def contracts_of(self, merchant_id: int) -> list[Contract]:
        """Return a merchant's contracts, in the order of ``contracts``.

        The grouping is built once per contracts list and extended with the
        contracts appended since. Scenarios append contracts or replace the
        list, which rebuilds it.
        NOTE: sorting or removing in place is not seen (finalize_contracts
        sorts the list), so call this only while planting.
        """
        cached = self._contract_groups
        if cached is None or cached[0] is not self.contracts:
            cached = (self.contracts, 0, defaultdict(list))
        contracts, grouped, groups = cached
        for contract in contracts[grouped:]:
            groups[contract.merchant_id].append(contract)
        self._contract_groups = (contracts, len(contracts), groups)
        return list(groups.get(merchant_id, ()))

    def contact_rows(self, merchant_id: int) -> np.ndarray:
        """Return the row positions of a merchant's contacts in ``contacts``.

        The rows are sorted by merchant once per contacts frame. Scenarios
        edit contact values in place but add or remove contacts by replacing
        the frame, which sorts it again.
        """
        cached = self._contact_groups
        if cached is None or cached[0] is not self.contacts:
            merchant_ids = self.contacts["merchant_id"].to_numpy()
            order = np.argsort(merchant_ids, kind="stable")
            cached = (self.contacts, merchant_ids[order], order)
            self._contact_groups = cached
        _, sorted_ids, order = cached
        first, end = np.searchsorted(sorted_ids, [merchant_id, merchant_id + 1])
        return order[first:end]

    def contacts_of(self, merchant_id: int) -> pd.DataFrame:
        return self.contacts.iloc[self.contact_rows(merchant_id)]

    def staying_contacts(self, since: int) -> pd.DataFrame:
        """Return contacts who started by ``since`` and stay active through as-of."""
        contacts = self.contacts
        return contacts[
            (contacts["start_day"] <= since)
            & (contacts["activity_end_day"] >= self.config.last_day)
        ]

    def staying_counts(self, since: int) -> dict[int, int]:
        """Return per merchant how many contacts started by ``since`` and stay."""
        counts = self.staying_contacts(since).groupby("merchant_id").size()
        return {int(m): int(n) for m, n in counts.items()}

    def claim(self, merchant_id: int, scenario: str) -> None:
        """Reserve a merchant for one scenario, so no other edits it."""
        if merchant_id in self.claimed:
            raise ValueError(
                f"merchant {merchant_id} is already used by {self.claimed[merchant_id]}"
            )
        self.claimed[merchant_id] = scenario

    def is_free(self, merchant_id: int) -> bool:
        return merchant_id not in self.claimed

    def usage_changed_between(self, merchant_id: int, first: int, end: int) -> bool:
        """Return whether any edit changes the merchant's usage in [first, end)."""
        edits = self.edits.get(merchant_id)
        return edits is not None and edits.changes_usage_between(first, end)

    def active_arr(self) -> dict[int, int]:
        """Return total active ARR in cents per merchant with an active contract."""
        totals: dict[int, int] = defaultdict(int)
        for contract in self.contracts:
            if contract.status == "active":
                totals[contract.merchant_id] += contract.arr_cents
        return dict(totals)

    def all_status_arr(self) -> dict[int, int]:
        """Return ARR in cents per merchant summed over contracts of any status."""
        totals: dict[int, int] = defaultdict(int)
        for contract in self.contracts:
            totals[contract.merchant_id] += contract.arr_cents
        return dict(totals)

    def ranking(self) -> list[int]:
        """Return merchant ids by total active ARR, largest first (ties by id)."""
        totals = self.active_arr()
        return sorted(totals, key=lambda merchant: (-totals[merchant], merchant))
