"""Known-mistake recognisers: conditions declared in YAML, checked here.

A known mistake, in kit/catalogue.yaml or in an exercise's ``mistakes``,
names the conditions that recognise it, for example
``when: {duplicate_keys: true}``. Every condition given must hold. Each
condition below is one entry of ``CONDITIONS``: the answer kinds it applies
to, a validator for its argument (used when the registry loads) and a test
against the ``Facts`` of a comparison. The condition ``parsed`` runs a
recogniser of kit.sql_patterns on the parsed SQL.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit import sql_patterns
from kit.facts import DifferingRows, Facts
from kit.normalize import NUMBER, convert, equal_cells

log = logging.getLogger(__name__)

TABLE_KINDS = ("sql", "dataframe")
SQL_KINDS = ("sql", "dataframe", "ids", "number")
# Patterns match case-insensitively, and `.` matches a line break too, so
# "^(?!.*contract_status)" means "contract_status appears nowhere".
REGEX_FLAGS = re.IGNORECASE | re.DOTALL
# A `differs` condition holds when at least one differing row of the column
# meets its where, direction, expected and got fields. With `every: true` it
# holds only when all of them do.
DIFFERS_FIELDS = ("column", "where", "direction", "expected", "got", "every")


@dataclass(frozen=True)
class Condition:
    """One kind of ``when`` condition."""

    answer_kinds: tuple[str, ...]
    argument: str
    validate: Callable[[object], str | None]
    holds: Callable[[object, Facts], bool]


def _validate_regex(argument) -> str | None:
    if not isinstance(argument, str):
        return "must be a regular expression in quotes"
    try:
        re.compile(argument)
    except re.error as error:
        return f"is not a valid regular expression ({error})"
    return None


def _validate_true(argument) -> str | None:
    return None if argument is True else "must be true"


def _validate_query(argument) -> str | None:
    if argument is True or (isinstance(argument, str) and argument.strip()):
        return None
    return "must be true or a pandas query string such as \"segment == 'smb'\""


def _validate_row_count(argument) -> str | None:
    return None if argument in ("fewer", "more") else "must be fewer or more"


def _validate_differs(argument) -> str | None:
    if not isinstance(argument, dict):
        return "must be a mapping with at least `column`"
    unknown = sorted(set(argument) - set(DIFFERS_FIELDS))
    if unknown:
        return f"has unknown fields {unknown}; allowed: {', '.join(DIFFERS_FIELDS)}"
    if not isinstance(argument.get("column"), str):
        return "needs `column`: the name of the column that differs"
    if argument.get("direction", "higher") not in ("higher", "lower"):
        return "has `direction` other than higher or lower"
    where = argument.get("where")
    if where is not None and not (isinstance(where, str) and where.strip()):
        return "has `where` that is not a pandas query string"
    if argument.get("every", True) is not True:
        return "has `every` other than true"
    return None


def _validate_columns(argument) -> str | None:
    if (
        isinstance(argument, list)
        and argument
        and all(isinstance(name, str) for name in argument)
    ):
        return None
    return "must be a list of column names, such as [health_score]"


def _validate_direction(argument) -> str | None:
    return None if argument in ("higher", "lower") else "must be higher or lower"


def _validate_any(argument) -> str | None:
    return None


def _validate_recogniser(argument) -> str | None:
    if isinstance(argument, str) and argument in sql_patterns.RECOGNISERS:
        return None
    return f"names no recogniser {argument!r}; kit/sql_patterns.py has " + ", ".join(
        sql_patterns.RECOGNISERS
    )


def _validate_values(argument) -> str | None:
    if not isinstance(argument, dict) or not argument:
        return "must be a mapping with `expected`, `got` or both"
    unknown = sorted(set(argument) - {"expected", "got"})
    if unknown:
        return f"has unknown fields {unknown}; allowed: expected, got"
    return None


def _error_holds(pattern, facts: Facts) -> bool:
    if facts.error is None:
        return False
    return re.search(pattern, facts.error, flags=REGEX_FLAGS) is not None


def _sql_holds(pattern, facts: Facts) -> bool:
    if facts.sql is None:
        return False
    return re.search(pattern, facts.sql, flags=REGEX_FLAGS) is not None


def _direction_holds(direction, facts: Facts) -> bool:
    got, expected = facts.got_value, facts.expected_value
    if not isinstance(got, float) or not isinstance(expected, float):
        return False
    return got > expected if direction == "higher" else got < expected


def _duplicate_keys_holds(argument, facts: Facts) -> bool:
    return facts.duplicate_keys


def _rows_match(rows: pd.DataFrame | None, query) -> bool:
    if rows is None or rows.empty:
        return False
    if query is True:
        return True
    try:
        return not rows.query(query).empty
    except Exception as error:  # pandas raises many types for a bad query
        log.warning("known-mistake query %r failed: %s", query, error)
        return False


def _missing_rows_holds(query, facts: Facts) -> bool:
    return _rows_match(facts.missing_rows, query)


def _all_missing_holds(query, facts: Facts) -> bool:
    """Hold when the reference has rows matching ``query`` and all are missing."""
    if facts.reference_rows is None or facts.missing_rows is None:
        return False
    try:
        wanted = facts.reference_rows.query(query)
        missing = facts.missing_rows.query(query)
    except Exception as error:  # pandas raises many types for a bad query
        log.warning("known-mistake query %r failed: %s", query, error)
        return False
    return not wanted.empty and len(missing) == len(wanted)


def _extra_rows_holds(query, facts: Facts) -> bool:
    return _rows_match(facts.extra_rows, query)


def _row_count_holds(direction, facts: Facts) -> bool:
    if facts.expected_rows is None or facts.got_rows is None:
        return False
    if direction == "fewer":
        return facts.got_rows < facts.expected_rows
    return facts.got_rows > facts.expected_rows


def _differs_holds(argument: dict, facts: Facts) -> bool:
    rows = facts.differences.get(argument["column"].lower())
    return _rows_differ(rows, argument)


def _rows_differ(rows: DifferingRows | None, argument: dict) -> bool:
    """Hold when the differing rows of one column meet ``argument``'s fields."""
    if rows is None or rows.reference.empty:
        return False
    mask = np.ones(len(rows.reference), dtype=bool)
    if argument.get("where") is not None:
        mask &= _query_mask(rows.reference, argument["where"])
    if "direction" in argument:
        mask &= _direction_mask(rows, argument["direction"])
    if "expected" in argument:
        mask &= _value_mask(rows.expected, argument["expected"])
    if "got" in argument:
        mask &= _value_mask(rows.got, argument["got"])
    if argument.get("every"):
        return bool(mask.all())
    return bool(mask.any())


def _same_holds(columns, facts: Facts) -> bool:
    """Hold when the answer has every column and no matched row differs in it."""
    if facts.got_columns is None:
        return False
    wanted = [name.lower() for name in columns]
    present = all(name in facts.got_columns for name in wanted)
    return present and not any(name in facts.differences for name in wanted)


def _query_mask(frame: pd.DataFrame, query: str) -> np.ndarray:
    try:
        selected = frame.query(query)
    except Exception as error:  # pandas raises many types for a bad query
        log.warning("known-mistake query %r failed: %s", query, error)
        return np.zeros(len(frame), dtype=bool)
    return frame.index.isin(selected.index)


def _direction_mask(rows: DifferingRows, direction: str) -> np.ndarray:
    comparable = ~rows.expected.missing & ~rows.got.missing & ~rows.got.invalid
    if rows.expected.kind == NUMBER or rows.expected.values.dtype.kind in "mM":
        with np.errstate(invalid="ignore"):
            if direction == "higher":
                order = rows.got.values > rows.expected.values
            else:
                order = rows.got.values < rows.expected.values
        return comparable & order
    return np.zeros(len(comparable), dtype=bool)


def _value_mask(column, value) -> np.ndarray:
    single = convert(pd.Series([value], dtype=object), column.kind)
    repeated = type(single)(
        single.kind,
        np.repeat(single.values, len(column.values)),
        np.repeat(single.missing, len(column.values)),
        np.repeat(single.invalid, len(column.values)),
    )
    return equal_cells(repeated, column)


def _parsed_holds(name, facts: Facts) -> bool:
    return sql_patterns.matches(name, facts.sql, facts.dialect)


def _any_differs_holds(argument: dict, facts: Facts) -> bool:
    """Hold when some column or key differs with the given expected and got values."""
    return any(_rows_differ(rows, argument) for rows in facts.differences.values())


def _division_by_zero_holds(argument, facts: Facts) -> bool:
    return facts.division_by_zero


def _got_holds(value, facts: Facts) -> bool:
    got = facts.got_value
    if isinstance(value, str) and isinstance(got, str):
        return value.strip().lower() == got.strip().lower()
    try:
        return float(value) == float(got)
    except (TypeError, ValueError):
        return value == got


CONDITIONS: dict[str, Condition] = {
    "error": Condition(SQL_KINDS, "REGEX", _validate_regex, _error_holds),
    "sql": Condition(SQL_KINDS, "REGEX", _validate_regex, _sql_holds),
    "duplicate_keys": Condition(
        TABLE_KINDS, "true", _validate_true, _duplicate_keys_holds
    ),
    "missing_rows": Condition(
        (*TABLE_KINDS, "ids"), "true or QUERY", _validate_query, _missing_rows_holds
    ),
    "all_missing": Condition(TABLE_KINDS, "QUERY", _validate_query, _all_missing_holds),
    "extra_rows": Condition(
        (*TABLE_KINDS, "ids"), "true or QUERY", _validate_query, _extra_rows_holds
    ),
    "differs": Condition(
        (*TABLE_KINDS, "mapping"),
        "{column, where, direction, expected, got, every}",
        _validate_differs,
        _differs_holds,
    ),
    "same": Condition(TABLE_KINDS, "[COLUMN, ...]", _validate_columns, _same_holds),
    "row_count": Condition(
        (*TABLE_KINDS, "ids"), "fewer or more", _validate_row_count, _row_count_holds
    ),
    "direction": Condition(
        ("number",), "higher or lower", _validate_direction, _direction_holds
    ),
    "got": Condition(("number", "choice"), "VALUE", _validate_any, _got_holds),
    "parsed": Condition(SQL_KINDS, "RECOGNISER", _validate_recogniser, _parsed_holds),
    "any_differs": Condition(
        (*TABLE_KINDS, "mapping"),
        "{expected, got}",
        _validate_values,
        _any_differs_holds,
    ),
    "division_by_zero": Condition(
        SQL_KINDS, "true", _validate_true, _division_by_zero_holds
    ),
}


def condition_problem(name: str, argument, answer_kind: str | None):
    """Return (problem, fix) for an invalid condition, or None when it is valid.

    ``answer_kind`` None skips the check that the condition applies to the
    answer kind, for a catalogue entry that any exercise may use.
    """
    condition = CONDITIONS.get(name)
    if condition is None:
        return "is an unknown condition", f"use one of {', '.join(CONDITIONS)}"
    if answer_kind is not None and answer_kind not in condition.answer_kinds:
        return (
            f"does not apply to answer: {answer_kind}",
            f"it applies to {', '.join(condition.answer_kinds)}",
        )
    problem = condition.validate(argument)
    if problem:
        return problem, f"write {name}: {condition.argument}"
    return None


def combine(entry_when: dict, exercise_when: dict) -> dict:
    """Return an entry's conditions refined by an exercise's.

    The exercise adds conditions; for a condition both name, the fields of a
    ``differs`` or ``any_differs`` mapping merge and any other value is the
    exercise's.
    """
    combined = dict(entry_when)
    for name, argument in exercise_when.items():
        earlier = combined.get(name)
        if isinstance(earlier, dict) and isinstance(argument, dict):
            combined[name] = {**earlier, **argument}
        else:
            combined[name] = argument
    return combined


def recognise(mistakes, facts: Facts) -> list:
    """Return the mistakes of an exercise whose conditions all hold.

    A mistake id may have several entries, each with its own conditions: it
    is recognised once when any of them holds.
    """
    found = []
    for mistake in mistakes:
        if any(known.id == mistake.id for known in found):
            continue
        conditions = mistake.when.items()
        if all(CONDITIONS[name].holds(arg, facts) for name, arg in conditions):
            found.append(mistake)
    return found
