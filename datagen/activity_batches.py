"""Activity tables generated in merchant batches, in worker processes or inline.

Each batch covers consecutive merchants and is returned as the three activity
frames, ready to append. With more than one worker, a process pool generates
batches while the caller writes earlier ones, and the batches come back in
merchant order. Every merchant draws from its own random streams, so the
number of workers and the batch size never change the data.
"""

import os
import signal
import threading
import time
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
from datagen.plan import ActivityEdits

# Batches submitted and not yet written, per worker.
BATCHES_AHEAD_PER_WORKER = 2
# How often a worker checks that the process that started it still runs.
PARENT_CHECK_SECONDS = 1.0

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
    """Everything a batch reads: the plan's merchants, contacts and edits."""

    ctx: Context
    # Merchant rows as namedtuples, in merchant order.
    merchants: list
    contacts: ContactTable
    edits: dict[int, ActivityEdits]
    versions: tuple[str, ...]


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


def generate_batch(inputs: ActivityInputs, first: int, end: int) -> ActivityBatch:
    """Generate the activity of merchants ``first`` to ``end - 1``, by position."""
    parts: dict[str, list] = {table: [] for table in ACTIVITY_TABLES}
    lost_days = {}
    for merchant in inputs.merchants[first:end]:
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
    return ActivityBatch(end - first, frames, lost_days)


# The inputs of the batches a worker process generates, set by _start_worker.
_worker_inputs: ActivityInputs | None = None


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _start_worker(inputs: ActivityInputs) -> None:
    global _worker_inputs
    # Ctrl-C reaches the whole process group. The parent stops the pool, so
    # a worker finishes its batch instead of dying with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed by a signal never shuts the pool down, and forked
    # workers keep each other's queue pipes open, so they would wait forever.
    threading.Thread(
        target=_exit_with_parent, args=(os.getppid(),), daemon=True
    ).start()
    _worker_inputs = inputs


def _worker_batch(first: int, end: int) -> ActivityBatch:
    return generate_batch(_worker_inputs, first, end)


def activity_batches(
    inputs: ActivityInputs, batch_size: int, workers: int
) -> Iterator[ActivityBatch]:
    """Yield the activity batches in merchant order.

    With ``workers`` above 1 and more than one batch, a process pool
    generates them, with at most BATCHES_AHEAD_PER_WORKER batches per worker
    submitted and not yet yielded, which bounds memory. Closing the
    iterator, or an error in a batch, cancels the batches not started and
    waits for the workers to exit.
    """
    count = len(inputs.merchants)
    ranges = [
        (first, min(first + batch_size, count)) for first in range(0, count, batch_size)
    ]
    if workers <= 1 or len(ranges) <= 1:
        for first, end in ranges:
            yield generate_batch(inputs, first, end)
        return
    executor = ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(inputs,)
    )
    try:
        waiting = iter(ranges)
        pending: deque[Future] = deque()
        for first, end in waiting:
            pending.append(executor.submit(_worker_batch, first, end))
            if len(pending) >= workers * BATCHES_AHEAD_PER_WORKER:
                break
        while pending:
            batch = pending.popleft().result()
            following = next(waiting, None)
            if following is not None:
                pending.append(executor.submit(_worker_batch, *following))
            yield batch
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
