"""Sessions, feature events and transaction volume, one merchant at a time.

Sessions per contact per day are Poisson draws whose rate is the contact's
own rate times the day's seasonality and the merchant's usage trend. Feature
events per session are Poisson draws whose mean is the merchant's feature
depth times a platform factor times the contact's depth factor. That factor
makes some contacts viewers who rarely use a feature (datagen.adoption), so
the share of active users who use features differs between merchants. Each
merchant draws from its own random streams, so batching never changes the
data. The ActivityEdits that scenarios registered are applied here, before
ids are assigned, so every planted effect is consistent across tables.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from datagen import catalog, dates
from datagen.adoption import depth_factors
from datagen.config import Config
from datagen.contact_table import PLATFORM_CODES, MerchantContacts
from datagen.plan import ActivityEdits, Plan
from datagen.releases import Releases
from datagen.rng import stream

SECONDS_PER_DAY = 86_400
SESSION_ID_BLOCK = 10**8
EVENT_ID_BLOCK = 10**9
HOUR_SPREAD = 2.5
DURATION_MEDIAN_SECONDS = 420
DURATION_SIGMA = 0.9
DURATION_LIMITS = (15, 4 * 3600)
MOBILE_DURATION_FACTOR = 0.6
# Expected feature events per session relative to the merchant's depth.
WEB_EVENT_FACTOR = 1.25
MOBILE_EVENT_FACTOR = 0.75
MAX_EVENTS_PER_SESSION = 8
CORE_ADOPTION = 0.9
OTHER_ADOPTION = 0.45
# Minimum weight of a feature in ActivityEdits.adopted_features, relative
# to the merchant's average feature weight.
FORCED_FEATURE_WEIGHT = 1.5
# Share of sessions the tracking pipeline delivers twice.
REDELIVERY_RATE = 0.002
VOLUME_HOLIDAY_FACTOR = 0.7
WINDOW_DAYS = 30
TIER_CODES = {name: code for code, name in enumerate(catalog.TIERS)}
EVENT_CODES = {name: code for code, name in enumerate(catalog.EVENT_NAMES)}
# EVENT_NAME_CODES[tier, feature] is the event code a tier logs a feature as.
EVENT_NAME_CODES = np.array(
    [
        [EVENT_CODES[f.event_name(tier)] for f in catalog.FEATURES]
        for tier in catalog.TIERS
    ]
)
FEATURE_FIRST_TIER = np.array([TIER_CODES[f.first_tier] for f in catalog.FEATURES])
FEATURE_IS_CORE = np.array([f.core for f in catalog.FEATURES])
FEATURE_INDEX = {f.name: index for index, f in enumerate(catalog.FEATURES)}


@dataclass
class Context:
    """Per-run inputs shared by every merchant's activity."""

    config: Config
    releases: Releases
    session_factors: np.ndarray
    volume_holiday: np.ndarray
    weekend: np.ndarray
    # (event code, platform code, version codes) of the tracking break: the
    # first broken release of the platform and every later one.
    broken: tuple[int, int, np.ndarray] | None
    tier_timelines: dict[int, tuple[np.ndarray, np.ndarray]]


def build_context(plan: Plan) -> Context:
    config = plan.config
    factors = dates.day_factors(config.start_day, config.last_day)
    days = np.arange(config.start_day, config.last_day + 1)
    holiday = np.ones(len(days))
    first_year = dates.to_date(config.start_day).year
    for day in dates.holidays(first_year, dates.to_date(config.last_day).year):
        if config.start_day <= day <= config.last_day:
            holiday[day - config.start_day] = VOLUME_HOLIDAY_FACTOR
    broken = None
    if plan.tracking_break is not None:
        item = plan.tracking_break
        codes = plan.releases.codes[item.platform]
        first = plan.releases.versions.index(item.app_version)
        position = int(np.flatnonzero(codes == first)[0])
        broken = (
            EVENT_CODES[item.feature_name],
            PLATFORM_CODES[item.platform],
            codes[position:],
        )
    timelines = {}
    for change in sorted(plan.plan_changes, key=lambda c: c.change_day):
        change_days, tiers = timelines.get(
            change.merchant_id, ([], [TIER_CODES[change.from_tier]])
        )
        change_days.append(change.change_day)
        tiers.append(TIER_CODES[change.to_tier])
        timelines[change.merchant_id] = (change_days, tiers)
    return Context(
        config=config,
        releases=plan.releases,
        session_factors=factors,
        volume_holiday=holiday,
        weekend=dates.weekday(days) >= 5,
        broken=broken,
        tier_timelines={
            merchant: (np.array(change_days), np.array(tiers))
            for merchant, (change_days, tiers) in timelines.items()
        },
    )


@dataclass
class SessionDraft:
    """Sessions as (contact index, day) pairs before their attributes exist."""

    contact: np.ndarray
    day: np.ndarray

    def count_in(self, first: int, end: int) -> int:
        return int(((self.day >= first) & (self.day < end)).sum())

    def add(self, contact: np.ndarray, day: np.ndarray) -> None:
        self.contact = np.concatenate([self.contact, contact])
        self.day = np.concatenate([self.day, day])

    def remove_in(self, rng: np.random.Generator, first: int, end: int, n: int) -> None:
        """Remove ``n`` random sessions of the window ``[first, end)``."""
        if n <= 0:
            return
        inside = np.flatnonzero((self.day >= first) & (self.day < end))
        drop = rng.choice(inside, size=n, replace=False)
        keep = np.ones(len(self.day), dtype=bool)
        keep[drop] = False
        self.contact, self.day = self.contact[keep], self.day[keep]


def _draw_sessions(
    ctx: Context,
    rng: np.random.Generator,
    merchant,
    contacts: MerchantContacts,
    edits: ActivityEdits | None,
    first: int,
    last: int,
) -> SessionDraft:
    config = ctx.config
    days = np.arange(first, last + 1)
    offset = first - config.start_day
    trend = np.exp(merchant.usage_trend * (days - config.as_of_day) / 365)
    day_rate = ctx.session_factors[offset : offset + len(days)] * trend
    if edits is not None:
        for window_first, window_end, factor in edits.usage_factors:
            day_rate[(days >= window_first) & (days < window_end)] *= factor
        for window_first, window_end, first_factor, end_factor in edits.usage_ramps:
            inside = (days >= window_first) & (days < window_end)
            progress = (days[inside] - window_first) / (window_end - window_first)
            day_rate[inside] *= first_factor + (end_factor - first_factor) * progress
    start = np.maximum(contacts.start_day, first)
    end = np.minimum(contacts.activity_end_day, last)
    active = (days[None, :] >= start[:, None]) & (days[None, :] <= end[:, None])
    lam = contacts.rate[:, None] * day_rate[None, :] * active
    counts = rng.poisson(lam).ravel()
    cells = np.flatnonzero(counts)
    flat = np.repeat(cells, counts[cells])
    return SessionDraft(contact=flat // len(days), day=first + flat % len(days))


def _active_on(contacts: MerchantContacts, day: int) -> np.ndarray:
    return np.flatnonzero(
        (contacts.start_day <= day) & (contacts.activity_end_day >= day)
    )


def _add_in_window(
    rng: np.random.Generator,
    draft: SessionDraft,
    contacts: MerchantContacts,
    first: int,
    end: int,
    n: int,
) -> None:
    """Add ``n`` sessions in the window, each by the most active contact that day.

    Working days are preferred; days when nobody had access are skipped.
    """
    if n <= 0:
        return
    rates = contacts.rate
    staffed = [d for d in range(first, end) if len(_active_on(contacts, d))]
    candidates = [d for d in staffed if dates.weekday(d) < 5] or staffed
    if not candidates:
        return
    added_contacts, added_days = [], []
    for day in rng.choice(candidates, size=n):
        active = _active_on(contacts, int(day))
        added_contacts.append(active[np.argmax(rates[active])])
        added_days.append(int(day))
    draft.add(
        np.array(added_contacts, dtype=np.int64), np.array(added_days, dtype=np.int64)
    )


def _activate_every_contact(
    rng: np.random.Generator,
    draft: SessionDraft,
    contacts: MerchantContacts,
    first: int,
    end: int,
) -> None:
    """Give each contact with access all through ``[first, end)`` a session there.

    A contact without one gets a session on a random working day of the
    window.
    """
    starts = contacts.start_day
    ends = contacts.activity_end_day
    inside = (draft.day >= first) & (draft.day < end)
    active = set(draft.contact[inside].tolist())
    days = np.arange(first, end)
    working = days[dates.weekday(days) < 5]
    candidates = working if len(working) else days
    missing = [
        index
        for index in np.flatnonzero((starts <= first) & (ends >= end - 1))
        if index not in active
    ]
    if missing:
        draft.add(
            np.array(missing, dtype=np.int64),
            rng.choice(candidates, size=len(missing)).astype(np.int64),
        )


def _apply_edits(
    ctx: Context,
    rng: np.random.Generator,
    draft: SessionDraft,
    contacts: MerchantContacts,
    edits: ActivityEdits,
) -> None:
    as_of = ctx.config.as_of_day
    last_window = (as_of - WINDOW_DAYS, as_of)
    prior_window = (as_of - 2 * WINDOW_DAYS, as_of - WINDOW_DAYS)
    rates = contacts.rate
    for day in edits.extra_session_days:
        active = _active_on(contacts, day)
        top = active[np.argsort(-rates[active])[:2]]
        draft.add(top.astype(np.int64), np.full(len(top), day, dtype=np.int64))
    for first, end in edits.required_windows:
        if draft.count_in(first, end) == 0:
            _add_in_window(rng, draft, contacts, first, end, 1)
    if edits.all_contacts_active is not None:
        _activate_every_contact(rng, draft, contacts, *edits.all_contacts_active)
    if edits.capped_drop is not None:
        baseline_first, baseline_end, ratio = edits.capped_drop
        months = (baseline_end - baseline_first) / WINDOW_DAYS
        baseline = draft.count_in(baseline_first, baseline_end) / months
        allowed = int(np.floor(ratio * baseline))
        draft.remove_in(rng, *last_window, draft.count_in(*last_window) - allowed)
    if edits.floored_drop is not None:
        baseline_first, baseline_end, ratio = edits.floored_drop
        months = (baseline_end - baseline_first) / WINDOW_DAYS
        baseline = draft.count_in(baseline_first, baseline_end) / months
        needed = int(np.floor(ratio * baseline)) + 1 - draft.count_in(*last_window)
        _add_in_window(rng, draft, contacts, *last_window, needed)
    if edits.capped_decline is not None:
        baseline_first, baseline_end, last_first, ratio = edits.capped_decline
        per_day = draft.count_in(baseline_first, baseline_end) / (
            baseline_end - baseline_first
        )
        allowed = int(np.floor(ratio * per_day * (as_of - last_first)))
        draft.remove_in(
            rng, last_first, as_of, draft.count_in(last_first, as_of) - allowed
        )
    if edits.exact_ratio is not None:
        numerator, denominator = edits.exact_ratio
        prior, last = draft.count_in(*prior_window), draft.count_in(*last_window)
        k = max(1, min(prior // denominator, last // numerator))
        _add_in_window(rng, draft, contacts, *prior_window, k * denominator - prior)
        _add_in_window(rng, draft, contacts, *last_window, k * numerator - last)
        draft.remove_in(
            rng, *prior_window, draft.count_in(*prior_window) - k * denominator
        )
        draft.remove_in(rng, *last_window, draft.count_in(*last_window) - k * numerator)


def _session_columns(
    ctx: Context,
    rng: np.random.Generator,
    merchant,
    contacts: MerchantContacts,
    draft: SessionDraft,
) -> dict[str, np.ndarray]:
    n = len(draft.day)
    contact, day = draft.contact, draft.day
    hour = (merchant.centre_hour + rng.normal(0, HOUR_SPREAD, n)) % 24
    second_of_day = np.minimum((hour * 3600).astype(np.int64), SECONDS_PER_DAY - 1)

    mobile = rng.random(n) < contacts.mobile_share[contact]
    platform = np.where(
        mobile, contacts.mobile_platform[contact], PLATFORM_CODES["web"]
    )

    duration = np.exp(rng.normal(np.log(DURATION_MEDIAN_SECONDS), DURATION_SIGMA, n))
    duration = np.where(mobile, duration * MOBILE_DURATION_FACTOR, duration)
    duration = np.clip(duration, *DURATION_LIMITS).astype(np.int64)

    version = np.empty(n, dtype=np.int64)
    lag = contacts.update_lag[contact]
    for name, code in PLATFORM_CODES.items():
        rows = platform == code
        seen_day = day[rows] if name == "web" else day[rows] - lag[rows]
        version[rows] = ctx.releases.version_codes(name, seen_day)

    start = day * SECONDS_PER_DAY + second_of_day
    order = np.lexsort((contact, start))
    ids = contacts.contact_id
    return {
        "session_id": merchant.merchant_id * SESSION_ID_BLOCK + 1 + np.arange(n),
        "merchant_id": np.full(n, merchant.merchant_id, dtype=np.int64),
        "contact_id": ids[contact[order]],
        "session_date": day[order],
        "session_start": start[order],
        "duration_seconds": duration[order],
        "platform": platform[order],
        "app_version": version[order],
    }


def _tiers_on(ctx: Context, merchant, days: np.ndarray) -> np.ndarray:
    timeline = ctx.tier_timelines.get(merchant.merchant_id)
    if timeline is None:
        return np.full(len(days), TIER_CODES[merchant.plan_tier])
    change_days, tiers = timeline
    return tiers[np.searchsorted(change_days, days, side="right")]


def _feature_columns(
    ctx: Context,
    rng: np.random.Generator,
    merchant,
    sessions: dict[str, np.ndarray],
    contact_depth: np.ndarray,
    edits: ActivityEdits | None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Draw the sessions' feature events; also return the days of those the
    tracking break lost, one entry per lost event.

    ``contact_depth`` contains each session's factor on the merchant's
    feature depth, from its contact (see datagen.adoption).
    """
    first_tier = _tiers_on(ctx, merchant, np.array([ctx.config.start_day]))[0]
    available = FEATURE_FIRST_TIER <= first_tier
    adoption = np.where(FEATURE_IS_CORE, CORE_ADOPTION, OTHER_ADOPTION)
    adopted = available & (rng.random(len(available)) < adoption)
    adopted[0] = True  # payment links: the product's core action
    if edits is not None:
        for name in edits.adopted_features:
            adopted[FEATURE_INDEX[name]] = True

    weights = np.where(adopted, np.exp(rng.normal(0, 1, len(adopted))), 0.0)
    if edits is not None:
        # A feature a scenario relies on gets more than an average share.
        floor = FORCED_FEATURE_WEIGHT * weights[adopted].mean()
        for name in edits.adopted_features:
            weights[FEATURE_INDEX[name]] = max(weights[FEATURE_INDEX[name]], floor)
        if edits.feature_share is not None:
            name, share = edits.feature_share
            index = FEATURE_INDEX[name]
            others = weights.sum() - weights[index]
            if others > 0:
                weights[index] = share / (1 - share) * others
    mobile = sessions["platform"] != PLATFORM_CODES["web"]
    depth = (
        merchant.feature_depth
        * contact_depth
        * np.where(mobile, MOBILE_EVENT_FACTOR, WEB_EVENT_FACTOR)
    )
    per_session = np.minimum(rng.poisson(depth), MAX_EVENTS_PER_SESSION)
    source = np.repeat(np.arange(len(per_session)), per_session)
    feature = rng.choice(len(weights), size=len(source), p=weights / weights.sum())

    start = sessions["session_start"][source]
    day = sessions["session_date"][source]
    room = np.minimum(
        sessions["duration_seconds"][source], (day + 1) * SECONDS_PER_DAY - 1 - start
    )
    used_at = start + np.floor(rng.random(len(source)) * room).astype(np.int64)

    event = EVENT_NAME_CODES[_tiers_on(ctx, merchant, day), feature]
    platform = sessions["platform"][source]
    version = sessions["app_version"][source]

    keep = np.ones(len(source), dtype=bool)
    if ctx.broken is not None:
        broken_event, broken_platform, broken_versions = ctx.broken
        keep = ~(
            (event == broken_event)
            & (platform == broken_platform)
            & np.isin(version, broken_versions)
        )

    order = np.argsort(used_at[keep], kind="stable")
    n = int(keep.sum())
    columns = {
        "event_id": merchant.merchant_id * EVENT_ID_BLOCK + 1 + np.arange(n),
        "session_id": sessions["session_id"][source][keep][order],
        "merchant_id": np.full(n, merchant.merchant_id, dtype=np.int64),
        "contact_id": sessions["contact_id"][source][keep][order],
        "feature_name": event[keep][order],
        "usage_date": day[keep][order],
        "used_at": used_at[keep][order],
        "platform": platform[keep][order],
        "app_version": version[keep][order],
    }
    return columns, day[~keep]


def _redeliver(
    rng: np.random.Generator,
    sessions: dict[str, np.ndarray],
    edits: ActivityEdits | None,
) -> dict[str, np.ndarray]:
    """Append copies of the sessions the pipeline delivered twice."""
    twice = rng.random(len(sessions["session_id"])) < REDELIVERY_RATE
    if edits is not None:
        for first, end, count in edits.duplicated:
            day = sessions["session_date"]
            inside = np.flatnonzero((day >= first) & (day < end) & ~twice)
            chosen = rng.choice(inside, size=min(count, len(inside)), replace=False)
            twice[chosen] = True
    rows = np.concatenate([np.arange(len(twice)), np.flatnonzero(twice)])
    rows = rows[np.argsort(rows, kind="stable")]
    return {name: values[rows] for name, values in sessions.items()}


def _volume_columns(
    ctx: Context, rng: np.random.Generator, merchant, first: int, last: int
) -> dict[str, np.ndarray]:
    config = ctx.config
    days = np.arange(first, last + 1)
    offset = first - config.start_day
    weekend = ctx.weekend[offset : offset + len(days)]
    factor = np.where(weekend, catalog.INDUSTRY_WEEKEND_VOLUME[merchant.industry], 1.0)
    factor = factor * ctx.volume_holiday[offset : offset + len(days)]
    factor = factor * np.exp(merchant.usage_trend * (days - config.as_of_day) / 365)
    base = np.exp(rng.normal(np.log(merchant.target_arr / 90), 0.5))
    noise = np.exp(rng.normal(0, 0.1, len(days)))
    count = rng.poisson(base * factor * noise)
    ticket = catalog.INDUSTRY_TICKET_SIZE[merchant.industry] * np.exp(
        rng.normal(0, 0.3)
    )
    gross_cents = np.round(
        count * ticket * np.exp(rng.normal(0, 0.08, len(days))) * 100
    )
    keep = count > 0
    return {
        "merchant_id": np.full(int(keep.sum()), merchant.merchant_id, dtype=np.int64),
        "volume_date": days[keep],
        "transaction_count": count[keep],
        "gross_volume": gross_cents[keep].astype(np.int64),
    }


@dataclass
class MerchantActivity:
    sessions: dict[str, np.ndarray]
    features: dict[str, np.ndarray]
    volume: dict[str, np.ndarray]
    # Day of each feature event the tracking break lost.
    lost_days: np.ndarray

    @property
    def lost_events(self) -> int:
        return len(self.lost_days)


def merchant_activity(
    ctx: Context, merchant, contacts: MerchantContacts, edits: ActivityEdits | None
) -> MerchantActivity | None:
    """Generate one merchant's activity, or None when it had none in the history."""
    config = ctx.config
    seed, merchant_id = config.seed, int(merchant.merchant_id)
    first = max(int(merchant.go_live_day), config.start_day)
    last = min(int(merchant.end_day), config.last_day)
    if first > last:
        return None

    contacts = contacts.subset(
        (contacts.activity_end_day >= first) & (contacts.start_day <= last)
    )
    draft = _draw_sessions(
        ctx,
        stream(seed, "merchant_sessions", merchant_id),
        merchant,
        contacts,
        edits,
        first,
        last,
    )
    if edits is not None:
        _apply_edits(
            ctx, stream(seed, "activity_edits", merchant_id), draft, contacts, edits
        )

    attributes = stream(seed, "merchant_sessions.attributes", merchant_id)
    sessions = _session_columns(ctx, attributes, merchant, contacts, draft)
    factors = depth_factors(
        stream(seed, "merchant_features.depth_factors", merchant_id),
        contacts.is_key_contact,
    )
    if edits is not None and edits.engaged_contacts:
        factors = np.maximum(factors, 1.0)
    session_contact = pd.Index(contacts.contact_id).get_indexer(sessions["contact_id"])
    features, lost_days = _feature_columns(
        ctx,
        stream(seed, "merchant_features", merchant_id),
        merchant,
        sessions,
        factors[session_contact],
        edits,
    )
    sessions = _redeliver(
        stream(seed, "merchant_sessions.redelivery", merchant_id), sessions, edits
    )

    volume = _volume_columns(
        ctx,
        stream(seed, "daily_transaction_volume", merchant_id),
        merchant,
        first,
        last,
    )
    return MerchantActivity(sessions, features, volume, lost_days)
