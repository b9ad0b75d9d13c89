"""Activity tables generated in merchant batches, in worker processes or inline.

Each batch covers consecutive merchants and is returned as the three activity
frames, ready to append. With more than one worker, a process pool generates
batches while the caller writes earlier ones, and the batches come back in
merchant order. Every merchant draws from its own random streams, so the
number of workers and the batch size never change the data.

The worker processes are forked before the plan is built, while this process
has little beyond its imports, and each batch is sent the part of the plan
it reads. So a worker's memory does not grow with the number of merchants.
"""

import dataclasses
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from datagen import catalog
from datagen.activity import Context, merchant_activity
from datagen.config import MAX_DEFAULT_WORKERS
from datagen.contact_table import ContactTable
from datagen.parallel import start_forked_worker
from datagen.plan import ActivityEdits

# Batches submitted and not yet written, per worker.
BATCHES_AHEAD_PER_WORKER = 2

CATEGORIES = {
    "platform": catalog.PLATFORMS,
    "feature_name": catalog.EVENT_NAMES,
}
ACTIVITY_TABLES = ("merchant_sessions", "merchant_features", "daily_transaction_volume")


def default_workers() -> int:
    """Return the default number of worker processes: the cores this process
    may use, at most MAX_DEFAULT_WORKERS."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def workers_per_job(jobs: int) -> int:
    """Return the workers for each of ``jobs`` datasets generated at once, so
    that together they use the default number of workers."""
    return max(1, default_workers() // jobs)


@dataclass
class LostEvents:
    """The feature events the tracking break lost: the day of each, by merchant."""

    days: dict[int, np.ndarray]

    def per_merchant(self) -> Counter:
        return Counter({merchant: len(days) for merchant, days in self.days.items()})

    def frame(self, feature_name: str, platform: str) -> pd.DataFrame:
        """Return one row per lost event: merchant_id, feature_name,
        usage_date and platform."""
        merchants = [np.full(len(d), m) for m, d in self.days.items()]
        days = list(self.days.values())
        if not days:
            merchants, days = [np.array([], dtype=np.int64)], [np.array([])]
        usage_date = np.concatenate(days).astype("datetime64[D]")
        return pd.DataFrame(
            {
                "merchant_id": np.concatenate(merchants).astype(np.int64),
                "feature_name": feature_name,
                "usage_date": usage_date,
                "platform": platform,
            }
        )


@dataclass
class ActivityInputs:
    """Everything activity is generated from: merchants, contacts and edits.

    The inputs of the whole plan are split into the inputs of each batch,
    which hold only that batch's merchants.
    """

    # The shared context, with the tier timelines of these merchants.
    ctx: Context
    # Merchant rows of the plan, consecutive and in merchant order.
    merchants: pd.DataFrame
    contacts: ContactTable
    edits: dict[int, ActivityEdits]
    versions: tuple[str, ...]

    def batch(self, first: int, end: int) -> "ActivityInputs":
        """Return the inputs of merchants ``first`` to ``end - 1``, by position."""
        rows = self.merchants.iloc[first:end]
        ids = rows["merchant_id"].tolist()
        timelines = self.ctx.tier_timelines
        return ActivityInputs(
            ctx=dataclasses.replace(
                self.ctx,
                tier_timelines={m: timelines[m] for m in ids if m in timelines},
            ),
            merchants=rows,
            contacts=self.contacts.select(ids),
            edits={m: self.edits[m] for m in ids if m in self.edits},
            versions=self.versions,
        )


@dataclass
class ActivityBatch:
    """The activity of consecutive merchants, ready to append."""

    merchants: int
    # Frame per table in ACTIVITY_TABLES. The dict is empty when no merchant
    # of the batch had activity.
    frames: dict[str, pd.DataFrame]
    lost_days: dict[int, np.ndarray]


def _activity_frame(parts: list[dict[str, np.ndarray]], versions: tuple[str, ...]):
    columns = {}
    for name in parts[0]:
        values = np.concatenate([part[name] for part in parts])
        categories = versions if name == "app_version" else CATEGORIES.get(name)
        if categories is not None:
            values = pd.Categorical.from_codes(values, categories=list(categories))
        columns[name] = values
    return pd.DataFrame(columns)


def generate_batch(inputs: ActivityInputs) -> ActivityBatch:
    """Generate the activity of one batch of merchants."""
    parts: dict[str, list] = {table: [] for table in ACTIVITY_TABLES}
    lost_days = {}
    for merchant in inputs.merchants.itertuples(index=False):
        activity = merchant_activity(
            inputs.ctx,
            merchant,
            inputs.contacts.of(merchant.merchant_id),
            inputs.edits.get(merchant.merchant_id),
        )
        if activity is None:
            continue
        parts["merchant_sessions"].append(activity.sessions)
        parts["merchant_features"].append(activity.features)
        parts["daily_transaction_volume"].append(activity.volume)
        if activity.lost_events:
            lost_days[merchant.merchant_id] = activity.lost_days
    frames = {
        table: _activity_frame(tables, inputs.versions)
        for table, tables in parts.items()
        if tables
    }
    return ActivityBatch(len(inputs.merchants), frames, lost_days)


class ActivityWorkers:
    """Processes that generate activity batches, forked when this is created.

    Create it before the plan exists, so the workers share no page of it
    with this process. Use as a context manager. Leaving the block cancels
    the batches not started and waits for the workers to exit.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self.executor = ProcessPoolExecutor(
            max_workers=count,
            mp_context=multiprocessing.get_context("fork"),
            initializer=start_forked_worker,
        )
        # With the fork start method the pool forks every worker at the
        # first submit, so this forks them now rather than when the first
        # batch is ready.
        self.executor.submit(int)

    def __enter__(self) -> "ActivityWorkers":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def activity_batches(
    inputs: ActivityInputs, batch_size: int, workers: ActivityWorkers | None
) -> Iterator[ActivityBatch]:
    """Yield the activity batches in merchant order.

    With ``workers`` and more than one batch, the worker processes generate
    them, with at most BATCHES_AHEAD_PER_WORKER batches per worker
    submitted and not yet yielded, which bounds memory. Without, this
    process generates them. Closing the iterator, or an error in a batch,
    cancels the batches not started and waits for the workers to exit.
    """
    count = len(inputs.merchants)
    ranges = [
        (first, min(first + batch_size, count)) for first in range(0, count, batch_size)
    ]
    try:
        if workers is None or len(ranges) <= 1:
            for first, end in ranges:
                yield generate_batch(inputs.batch(first, end))
        else:
            yield from _pooled_batches(inputs, ranges, workers)
    finally:
        if workers is not None:
            workers.close()


def _pooled_batches(
    inputs: ActivityInputs, ranges: list[tuple[int, int]], workers: ActivityWorkers
) -> Iterator[ActivityBatch]:
    executor = workers.executor
    waiting = (inputs.batch(first, end) for first, end in ranges)
    pending: deque[Future] = deque()
    for batch in waiting:
        pending.append(executor.submit(generate_batch, batch))
        if len(pending) >= workers.count * BATCHES_AHEAD_PER_WORKER:
            break
    while pending:
        batch = pending.popleft().result()
        following = next(waiting, None)
        if following is not None:
            pending.append(executor.submit(generate_batch, following))
        yield batch
