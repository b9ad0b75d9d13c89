"""Per-merchant generators split into merchant chunks that run side by side.

Building contacts, invoices, tickets and survey responses loops over the
merchants, and each merchant draws from its own random stream. So the
merchants can be split into consecutive chunks, each generated in its own
process, and the chunks' rows joined in merchant order are the rows one
loop would give. The caller's process generates the first chunk while
forked processes generate the others. Forked processes inherit the task and
its inputs, so only the results are pickled.
"""

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import numpy as np

from datagen.parts import join_columns

Result = TypeVar("Result")

# Below this many merchants per process, starting a process costs more
# than the work it takes over.
MIN_MERCHANTS_PER_PROCESS = 2_000
# How often a forked process checks that the process that started it still runs.
PARENT_CHECK_SECONDS = 1.0


def exit_with_parent(parent: int) -> None:
    """Exit this process once ``parent`` has exited.

    A parent killed by a signal never shuts its pool down, and forked
    processes keep each other's queue pipes open, so they would wait forever.
    """
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def start_forked_worker() -> None:
    """Prepare a forked worker: ignore Ctrl-C and exit with the parent.

    Ctrl-C reaches the whole process group. The parent stops the pool, so
    a worker finishes its task instead of dying with a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()


# The task of a chunk process, set in the process by _start_chunk_worker.
_task: Callable | None = None


def _start_chunk_worker(task: Callable) -> None:
    global _task
    start_forked_worker()
    _task = task


def _run_chunk(first: int, end: int):
    return _task(first, end)


def chunk_ranges(count: int, processes: int) -> list[tuple[int, int]]:
    """Split ``range(count)`` into at most ``processes`` consecutive ranges.

    Each range contains at least MIN_MERCHANTS_PER_PROCESS merchants, unless
    there is only one.
    """
    chunks = max(1, min(processes, count // MIN_MERCHANTS_PER_PROCESS))
    bounds = [round(count * index / chunks) for index in range(chunks + 1)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def map_chunks(
    task: Callable[[int, int], Result], count: int, processes: int
) -> list[Result]:
    """Return ``task(first, end)`` for consecutive chunks of ``range(count)``.

    The results are in chunk order. With ``processes`` above 1 and enough
    merchants, all chunks but the first run in forked processes while this
    one runs the first. Where fork is not available, every chunk runs here.
    """
    ranges = chunk_ranges(count, processes)
    if len(ranges) == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [task(first, end) for first, end in ranges]
    pool = ProcessPoolExecutor(
        max_workers=len(ranges) - 1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_chunk_worker,
        initargs=(task,),
    )
    try:
        futures = [pool.submit(_run_chunk, first, end) for first, end in ranges[1:]]
        results = [task(*ranges[0])]
        results += [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


def concat_parts(
    parts: list[dict[str, np.ndarray] | None],
) -> dict[str, np.ndarray] | None:
    """Join column dicts row-wise, skipping None; None when there are none."""
    parts = [part for part in parts if part is not None]
    return join_columns(parts) if parts else None
