"""Findings of a comparison, in the form the known-mistake conditions read."""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit.normalize import Column


@dataclass
class DifferingRows:
    """Matched rows whose value in one column differs from the reference.

    ``reference`` contains those rows of the reference result (all its columns),
    ``expected`` and ``got`` the normalized values of the column, in the same
    order.
    """

    reference: pd.DataFrame
    expected: Column
    got: Column


@dataclass
class Facts:
    """Findings of one comparison, for the known-mistake conditions."""

    answer_kind: str
    sql: str | None = None
    dialect: str | None = None
    error: str | None = None
    duplicate_keys: bool = False
    division_by_zero: bool = False
    expected_rows: int | None = None
    got_rows: int | None = None
    reference_rows: pd.DataFrame | None = None
    missing_rows: pd.DataFrame | None = None
    extra_rows: pd.DataFrame | None = None
    differences: dict[str, DifferingRows] = field(default_factory=dict)
    got_columns: list[str] | None = None
    got_value: object = None
    expected_value: object = None


def take(column: Column, positions: np.ndarray) -> Column:
    """Return the cells of ``column`` at ``positions``."""
    exact = None
    if column.exact_integers is not None:
        exact = column.exact_integers[positions]
    return Column(
        column.kind,
        column.values[positions],
        column.missing[positions],
        column.invalid[positions],
        exact,
    )
