"""Generation options: defaults, limits and validation.

The command line and ``datagen.generate`` share these defaults and checks, so
an invalid value gets the same message from both.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from datagen import dates
from datagen.errors import InvalidOption

DEFAULT_SEED = 42
DEFAULT_MERCHANTS = 1000
DEFAULT_AS_OF = date(2026, 6, 30)
DEFAULT_HISTORY_DAYS = 400
DEFAULT_OUT = Path("data/merchants.duckdb")
DEFAULT_PARQUET_OUT = Path("data/parquet")
FORMATS = ("duckdb", "parquet")
# Merchants generated and written per batch. The data does not depend on it.
DEFAULT_BATCH_SIZE = 100
# Worker processes by default: one per available core, at most this many,
# because each worker keeps its own batches in memory.
MAX_DEFAULT_WORKERS = 8
# Each worker process is forked and keeps batches in memory, so a typo such
# as --workers 1000 would start a thousand processes.
MAX_WORKERS = 64

# The capstone query keeps the top 100 merchants by active ARR, and the SQL
# traps must sit inside that list and just outside it.
TOP_N = 100
MIN_MERCHANTS = 300
MAX_MERCHANTS = 100_000
# The renewal_usage_drop check compares the last 30 days with the 90 days
# before a drop that starts at least 30 days before the as-of date.
MIN_HISTORY_DAYS = 120
MAX_HISTORY_DAYS = 1830
MAX_SEED = 2**63 - 1
# Contract histories reach years before and after the as-of date, so the
# as-of date keeps well inside the calendar DuckDB and Python can represent.
MIN_AS_OF = date(2000, 1, 1)
MAX_AS_OF = date(2100, 12, 31)

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Config:
    """Validated options of one generation run."""

    seed: int = DEFAULT_SEED
    merchants: int = DEFAULT_MERCHANTS
    as_of: date = DEFAULT_AS_OF
    history_days: int = DEFAULT_HISTORY_DAYS

    def __post_init__(self) -> None:
        check_seed(self.seed)
        check_merchants(self.merchants)
        if isinstance(self.as_of, datetime) or not isinstance(self.as_of, date):
            raise InvalidOption("--as-of", repr(self.as_of), _AS_OF_FIX)
        check_history_days(self.history_days)

    @property
    def as_of_day(self) -> int:
        """The as-of date as days since 1970-01-01."""
        return dates.to_day(self.as_of)

    @property
    def start_day(self) -> int:
        """First day of activity history, as days since 1970-01-01."""
        return self.as_of_day - self.history_days

    @property
    def last_day(self) -> int:
        """Last day of activity history: the day before the as-of date."""
        return self.as_of_day - 1


_AS_OF_FIX = "expected a calendar date as YYYY-MM-DD, for example --as-of 2026-06-30"


def _whole_number(option: str, text: str, example: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise InvalidOption(
            option, repr(text), f"expected a whole number, for example {example}"
        ) from None


def check_seed(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidOption("--seed", repr(value), "expected a whole number")
    if not 0 <= value <= MAX_SEED:
        raise InvalidOption(
            "--seed", value, f"expected a whole number from 0 to {MAX_SEED}"
        )
    return value


def check_merchants(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidOption("--merchants", repr(value), "expected a whole number")
    if value < MIN_MERCHANTS:
        raise InvalidOption(
            "--merchants",
            value,
            f"the dataset needs at least {MIN_MERCHANTS} merchants because the "
            f"SQL traps are planted among the top {TOP_N} by ARR. "
            f"Use --merchants {MIN_MERCHANTS} or more.",
        )
    if value > MAX_MERCHANTS:
        raise InvalidOption(
            "--merchants",
            value,
            f"the generator supports at most {MAX_MERCHANTS} merchants. "
            f"Use --merchants {MAX_MERCHANTS} or fewer.",
        )
    return value


def check_history_days(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidOption("--history-days", repr(value), "expected a whole number")
    if value < MIN_HISTORY_DAYS:
        raise InvalidOption(
            "--history-days",
            value,
            f"the planted scenarios need at least {MIN_HISTORY_DAYS} days of "
            f"activity. Use --history-days {MIN_HISTORY_DAYS} or more.",
        )
    if value > MAX_HISTORY_DAYS:
        raise InvalidOption(
            "--history-days",
            value,
            f"the generator supports at most {MAX_HISTORY_DAYS} days (five years). "
            f"Use --history-days {MAX_HISTORY_DAYS} or fewer.",
        )
    return value


def check_workers(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidOption("--workers", repr(value), "expected a whole number")
    if value < 1:
        raise InvalidOption(
            "--workers", value, "expected 1 or more; 1 generates in one process"
        )
    if value > MAX_WORKERS:
        raise InvalidOption(
            "--workers",
            value,
            f"expected at most {MAX_WORKERS}; more processes than cores only "
            "add memory",
        )
    return value


def parse_workers(text: str) -> int:
    return check_workers(_whole_number("--workers", text, "--workers 2"))


def parse_seed(text: str) -> int:
    return check_seed(_whole_number("--seed", text, "--seed 42"))


def parse_merchants(text: str) -> int:
    return check_merchants(_whole_number("--merchants", text, "--merchants 1000"))


def parse_history_days(text: str) -> int:
    days = _whole_number("--history-days", text, "--history-days 400")
    return check_history_days(days)


def parse_out(text: str) -> Path:
    """Parse the output path, rejecting one that names no file."""
    path = Path(text.strip())
    if not text.strip() or not path.name or text.strip().endswith(("/", "\\")):
        raise InvalidOption(
            "--out", repr(text), "give a file path such as data/merchants.duckdb"
        )
    return path


def parse_out_folder(text: str) -> Path:
    """Parse the output folder of Parquet output, rejecting an empty path."""
    path = Path(text.strip())
    if not text.strip() or not path.name or path.name == "..":
        raise InvalidOption(
            "--out", repr(text), "give a folder path such as data/parquet"
        )
    return path


def parse_as_of(text: str) -> date:
    """Parse a YYYY-MM-DD date, rejecting words such as "today" and impossible days."""
    cleaned = text.strip()
    if not _ISO_DATE.fullmatch(cleaned):
        raise InvalidOption("--as-of", repr(text), _AS_OF_FIX)
    try:
        as_of = date.fromisoformat(cleaned)
    except ValueError as error:
        raise InvalidOption(
            "--as-of", repr(text), f"{error}. Give a real calendar date as YYYY-MM-DD."
        ) from None
    if not MIN_AS_OF <= as_of <= MAX_AS_OF:
        raise InvalidOption(
            "--as-of",
            repr(text),
            f"give a date from {MIN_AS_OF} to {MAX_AS_OF}, such as 2026-06-30",
        )
    return as_of
