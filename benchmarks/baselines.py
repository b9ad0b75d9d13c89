"""Two baselines for the generation rate, both writing merchant_sessions.

The naive generator is where data-generation tutorials start: a Python loop
that builds one dict per row from Faker calls, then writes the rows to
DuckDB. The numpy generator builds the same columns as whole arrays and
writes them with one DuckDB append of a DataFrame: the practical ceiling for
any generator that writes through pandas into DuckDB. Both create the
dataset's own schema (datagen/schema.sql) in a new file, insert, checkpoint
and close it, as ``datagen.generate`` does, and both are timed whole.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from faker import Faker

from datagen.writer import schema_sql

log = logging.getLogger(__name__)

SEED = 42
MERCHANTS = 1000
CONTACTS = 9000
FIRST_START = datetime(2025, 5, 26)
LAST_START = datetime(2026, 6, 29, 23, 59, 59)
PLATFORMS = ("web", "ios", "android")
APP_VERSIONS = tuple(f"7.{minor}.{patch}" for minor in range(10) for patch in range(3))
MIN_DURATION_SECONDS = 30
MAX_DURATION_SECONDS = 3600


@dataclass
class BaselineResult:
    """The runs of one baseline generator."""

    name: str
    rows: int
    seconds: list[float] = field(default_factory=list)


def naive_session_rows(rows: int, seed: int = SEED) -> list[dict]:
    """Return ``rows`` session rows built one dict at a time with Faker."""
    fake = Faker()
    fake.seed_instance(seed)
    sessions = []
    for session_id in range(1, rows + 1):
        started = fake.date_time_between(start_date=FIRST_START, end_date=LAST_START)
        sessions.append(
            {
                "session_id": session_id,
                "merchant_id": fake.random_int(1, MERCHANTS),
                "contact_id": fake.random_int(1, CONTACTS),
                "session_date": started.date(),
                "session_start": started,
                "duration_seconds": fake.random_int(
                    MIN_DURATION_SECONDS, MAX_DURATION_SECONDS
                ),
                "platform": fake.random_element(PLATFORMS),
                "app_version": fake.random_element(APP_VERSIONS),
            }
        )
    return sessions


def numpy_session_frame(rows: int, seed: int = SEED) -> pd.DataFrame:
    """Return ``rows`` session rows built as numpy columns."""
    rng = np.random.default_rng(seed)
    span = int((LAST_START - FIRST_START).total_seconds())
    offsets = rng.integers(0, span + 1, rows).astype("timedelta64[s]")
    started = np.datetime64(FIRST_START, "s") + offsets
    return pd.DataFrame(
        {
            "session_id": np.arange(1, rows + 1, dtype=np.int64),
            "merchant_id": rng.integers(1, MERCHANTS + 1, rows, dtype=np.int32),
            "contact_id": rng.integers(1, CONTACTS + 1, rows, dtype=np.int32),
            "session_date": started.astype("datetime64[D]"),
            "session_start": started,
            "duration_seconds": rng.integers(
                MIN_DURATION_SECONDS, MAX_DURATION_SECONDS + 1, rows, dtype=np.int32
            ),
            "platform": pd.Categorical.from_codes(
                rng.integers(0, len(PLATFORMS), rows), categories=list(PLATFORMS)
            ),
            "app_version": pd.Categorical.from_codes(
                rng.integers(0, len(APP_VERSIONS), rows),
                categories=list(APP_VERSIONS),
            ),
        }
    )


def write_sessions(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` into merchant_sessions of a new dataset file at ``path``."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(schema_sql())
        connection.append("merchant_sessions", frame, by_name=True)
        connection.execute("CHECKPOINT")


def time_naive(rows: int, path: Path) -> float:
    """Return the seconds the naive generator takes for ``rows`` rows."""
    started = time.perf_counter()
    sessions = naive_session_rows(rows)
    write_sessions(path, pd.DataFrame(sessions))
    return time.perf_counter() - started


def time_numpy(rows: int, path: Path) -> float:
    """Return the seconds the numpy generator takes for ``rows`` rows."""
    started = time.perf_counter()
    write_sessions(path, numpy_session_frame(rows))
    return time.perf_counter() - started


def measure_baselines(
    naive_rows: int, numpy_rows: int, runs: int, work: Path
) -> tuple[BaselineResult, BaselineResult]:
    """Time both baselines ``runs`` times each, taking turns; return them."""
    naive = BaselineResult("naive", naive_rows)
    ceiling = BaselineResult("numpy", numpy_rows)
    for round_number in range(1, runs + 1):
        for result, timer in ((naive, time_naive), (ceiling, time_numpy)):
            path = work / f"baseline-{result.name}.duckdb"
            path.unlink(missing_ok=True)
            log.info(
                "baseline: %s, %s rows, run %d of %d",
                result.name,
                f"{result.rows:,}",
                round_number,
                runs,
            )
            seconds = timer(result.rows, path)
            result.seconds.append(seconds)
            log.info("baseline: %.0f rows/s", result.rows / seconds)
            path.unlink(missing_ok=True)
    return naive, ceiling
