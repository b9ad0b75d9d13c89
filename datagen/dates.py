"""Day numbers, calendar arithmetic and the activity seasonality of a day.

Dates are handled as integer days since 1970-01-01 (a Thursday), so numpy
can shift and compare millions of them at once. The writer turns them back
into DATE values.
"""

from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)

# Relative dashboard activity by weekday, Monday first: B2B users log in on
# working days, and weekends are far quieter.
WEEKDAY_FACTOR = np.array([1.0, 1.05, 1.05, 1.0, 0.85, 0.14, 0.10])
# Relative activity on public holidays (US calendar) and on the quiet days
# around them.
HOLIDAY_FACTOR = 0.2
HALF_HOLIDAY_FACTOR = 0.5


def to_day(value: date) -> int:
    return (value - EPOCH).days


def to_date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def weekday(days: np.ndarray) -> np.ndarray:
    """Return the weekday of each day number, Monday = 0."""
    return (np.asarray(days) + 3) % 7


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Shift day numbers by whole calendar months, clamping to the month's end."""
    as_dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = as_dates.astype("datetime64[M]")
    day_of_month = (as_dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    first = target.astype("datetime64[D]").astype(np.int64)
    month_length = (target + 1).astype("datetime64[D]").astype(np.int64) - first
    return first + np.minimum(day_of_month, month_length - 1)


def _nth_weekday(year: int, month: int, weekday_index: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (weekday_index - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday_index: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday_index) % 7)


def holidays(first_year: int, last_year: int) -> dict[int, float]:
    """Return the activity factor of each holiday as {day number: factor}."""
    factors: dict[int, float] = {}
    for year in range(first_year, last_year + 1):
        thanksgiving = _nth_weekday(year, 11, 3, 4)
        full = [
            date(year, 1, 1),
            _last_weekday(year, 5, 0),  # Memorial Day
            date(year, 7, 4),
            _nth_weekday(year, 9, 0, 1),  # Labor Day
            thanksgiving,
            date(year, 12, 25),
        ]
        half = [
            thanksgiving + timedelta(days=1),
            date(year, 12, 24),
            date(year, 12, 31),
        ]
        factors.update({to_day(day): HALF_HOLIDAY_FACTOR for day in half})
        factors.update({to_day(day): HOLIDAY_FACTOR for day in full})
    return factors


def day_factors(first_day: int, last_day: int) -> np.ndarray:
    """Return the activity factor of every day from first_day to last_day inclusive."""
    days = np.arange(first_day, last_day + 1)
    factors = WEEKDAY_FACTOR[weekday(days)].copy()
    years = range(to_date(first_day).year, to_date(last_day).year + 1)
    for day, factor in holidays(years.start, years.stop - 1).items():
        if first_day <= day <= last_day:
            factors[day - first_day] = min(factors[day - first_day], factor)
    return factors
