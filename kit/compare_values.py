"""Compare answers that are not tables: ids, mappings, numbers and choices.

The feedback names the ids that are missing or unexpected and the keys whose
value is wrong. For a number it says only whether it is too high or too low,
and for a mapping or a choice it does not name the reference value. A
mapping exercise may give each key a note on why the key has its value,
which the feedback shows beside the key when its value is wrong.
"""

import datetime
import decimal
import math
import numbers
import re

import numpy as np
import pandas as pd

from kit import normalize
from kit.compare import EXAMPLES, Comparison, join_examples
from kit.facts import DifferingRows, Facts
from kit.normalize import canonical_id, mapping_key


class WrongType(Exception):
    """The answer is of a type this answer kind cannot take."""


class NotAChoice(WrongType):
    """The answer is text, but none of the exercise's choices."""


def to_ids(answer) -> list:
    """Return the ids of an iterable answer, raising WrongType for other types."""
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            raise WrongType(
                f"a DataFrame with {answer.shape[1]} columns; give one column of ids"
            )
        answer = answer.iloc[:, 0]
    if isinstance(answer, str | bytes | dict) or not _is_iterable(answer):
        raise WrongType(type(answer).__name__)
    return [canonical_id(value) for value in answer if not normalize.is_missing(value)]


def _is_iterable(value) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _sorted_for_display(values) -> list:
    return sorted(values, key=lambda value: (str(type(value)), value))


def compare_ids(expected, got) -> Comparison:
    expected_ids = set(to_ids(expected))
    got_list = to_ids(got)
    if all(isinstance(value, int) for value in expected_ids):
        got_list = [_digits_to_int(value) for value in got_list]
    got_ids = set(got_list)
    missing = _sorted_for_display(expected_ids - got_ids)
    extra = _sorted_for_display(got_ids - expected_ids)
    facts = Facts(
        answer_kind="ids",
        expected_rows=len(expected_ids),
        got_rows=len(got_ids),
        missing_rows=pd.DataFrame({"id": missing}),
        extra_rows=pd.DataFrame({"id": extra}),
    )
    details = []
    if len(got_ids) != len(expected_ids):
        details.append(f"Expected {len(expected_ids)} ids, got {len(got_ids)}.")
    for label, values in (("Missing ids", missing), ("Unexpected ids", extra)):
        if values:
            details.append(_listed(label, values))
    notes = []
    if len(got_list) != len(got_ids):
        notes.append(f"{len(got_list) - len(got_ids)} ids repeat; each counts once.")
    return Comparison(not details, details, facts, notes)


def _digits_to_int(value):
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


def _mapping_value(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return value.strip().lower()
    return value


def to_mapping(answer) -> dict:
    """Return the answer as a dict, raising WrongType for other types."""
    if isinstance(answer, pd.Series):
        answer = answer.to_dict()
    if not isinstance(answer, dict):
        raise WrongType(type(answer).__name__)
    return dict(answer)


def compare_mappings(
    expected,
    got,
    tolerance: float | None = None,
    item_notes: dict | None = None,
    free_text: tuple[str, ...] = (),
    jargon: tuple[str, ...] = (),
) -> Comparison:
    """Compare per key; string keys and values ignore case and outer blanks.

    ``item_notes`` maps keys to why each has its reference value. When a wrong
    key has a note, every wrong key gets a line of its own, with its note.
    The ``free_text`` keys hold the candidate's own words: they must be
    answered, in text, and without any of the ``jargon`` terms.
    """
    free = {mapping_key(key) for key in free_text}
    expected_map = {
        mapping_key(key): (key, value) for key, value in to_mapping(expected).items()
    }
    got_map = {mapping_key(key): (key, value) for key, value in to_mapping(got).items()}
    facts = Facts(answer_kind="mapping")
    unanswered, wrong = [], []
    for key, (original, value) in expected_map.items():
        given = got_map.get(key, (None, None))[1]
        if normalize.is_missing_answer(given):
            unanswered.append(original)
        elif key in free:
            continue
        elif not _same_value(value, given, tolerance):
            wrong.append((original, given))
            facts.differences[str(key)] = _differing_entry(key, value, given)
    extra = [
        original for key, (original, _) in got_map.items() if key not in expected_map
    ]
    details = []
    if unanswered:
        details.append(_listed("No answer for", unanswered))
    if wrong:
        details.extend(_wrong_value_lines(wrong, item_notes or {}))
    if extra:
        details.append(_listed("Unexpected keys", extra, "; check their spelling."))
    details.extend(free_text_problems(got_map, free, jargon))
    return Comparison(not details, details, facts)


def free_text_problems(got_map: dict, free: set, jargon: tuple[str, ...]) -> list:
    """Return a line per free-text answer that is not text or uses jargon."""
    problems = []
    for key in sorted(free):
        original, value = got_map.get(key, (key, None))
        if normalize.is_missing_answer(value):
            continue
        if not isinstance(value, str):
            problems.append(
                f"{normalize.show(original)} is {type(value).__name__}, not text: "
                "write it in words, as you would say it."
            )
            continue
        found = [term for term in jargon if _mentions(value, term)]
        if found:
            terms = ", ".join(normalize.show(term) for term in found)
            problems.append(
                f"{normalize.show(original)} uses words an AM would not use: "
                f"{terms}. Say it in the AM's terms: how likely the renewal is, "
                "what changed in the account, and what to do by when."
            )
    return problems


def _mentions(text: str, term: str) -> bool:
    pattern = r"(?<![a-z0-9])" + re.escape(term.lower()) + r"(?![a-z0-9])"
    return re.search(pattern, text.lower()) is not None


def _wrong_value_lines(wrong: list, item_notes: dict) -> list[str]:
    """Return the lines naming the wrong keys: one line, or one per key with notes."""
    notes_by_key = {mapping_key(key): note for key, note in item_notes.items()}
    labels = [
        f"{normalize.show(key)} (you gave {normalize.show(value)})"
        for key, value in wrong
    ]
    notes = [notes_by_key.get(mapping_key(key)) for key, _ in wrong]
    if not any(notes):
        return [_listed("Wrong values", labels, show_items=False)]
    lines = [f"Wrong values ({len(wrong)}):"]
    for label, note in zip(labels, notes, strict=True):
        lines.append(f"    {label}: {note}" if note else f"    {label}.")
    return lines


def _listed(label: str, items: list, end: str = ".", *, show_items=True) -> str:
    """Return "LABEL (N): first few items; and M more" with ``end`` appended."""
    shown = items[:EXAMPLES]
    if show_items:
        shown = [normalize.show(item) for item in shown]
    return f"{label} ({len(items)}): {join_examples(shown, len(items))}{end}"


def _same_value(expected, got, tolerance: float | None) -> bool:
    if _is_number(expected) and _is_number(got):
        return numbers_match(float(expected), float(got), tolerance)
    if isinstance(expected, datetime.date):
        return _same_day(expected, got)
    return _mapping_value(expected) == _mapping_value(got)


def _same_day(expected: datetime.date, got) -> bool:
    """Compare dates by day, whether given as a date, a Timestamp or ISO text."""
    try:
        return pd.Timestamp(got).normalize() == pd.Timestamp(expected).normalize()
    except (TypeError, ValueError):
        return False


def _differing_entry(key, expected, got) -> DifferingRows:
    reference = pd.DataFrame({"key": [key], "expected": [expected]})
    kind = normalize.NUMBER if _is_number(expected) else normalize.TEXT
    expected_cells = normalize.convert(pd.Series([_mapping_value(expected)]), kind)
    got_cells = normalize.convert(pd.Series([_mapping_value(got)], dtype=object), kind)
    return DifferingRows(reference, expected_cells, got_cells)


def _is_number(value) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    return isinstance(value, numbers.Number | decimal.Decimal)


def numbers_match(expected: float, got: float, tolerance: float | None) -> bool:
    allowed = normalize.RELATIVE_TOLERANCE * max(abs(expected), abs(got))
    return abs(expected - got) <= allowed + (tolerance or 0.0)


def to_number(answer) -> float:
    """Return the answer as a float; a 1x1 DataFrame gives its only value."""
    if isinstance(answer, pd.DataFrame):
        if answer.shape != (1, 1):
            rows, columns = answer.shape
            raise WrongType(
                f"table of {rows} rows and {columns} columns; return one value"
            )
        answer = answer.iloc[0, 0]
    elif isinstance(answer, pd.Series) and len(answer) == 1:
        answer = answer.iloc[0]
    if isinstance(answer, np.generic):
        answer = answer.item()
    if normalize.is_missing(answer):
        raise WrongType("NULL, not a number")
    if not _is_number(answer):
        raise WrongType(type(answer).__name__)
    return float(answer)


def compare_numbers(expected, got, tolerance: float | None = None) -> Comparison:
    expected_number = to_number(expected)
    got_number = to_number(got)
    facts = Facts(
        answer_kind="number", got_value=got_number, expected_value=expected_number
    )
    if math.isnan(got_number) or math.isinf(got_number):
        facts.division_by_zero = True
        detail = (
            f"Your number is {normalize.show(got_number)}: a division by zero. "
            "Divide by NULLIF(denominator, 0), or check the denominator."
        )
        return Comparison(False, [detail], facts)
    if numbers_match(expected_number, got_number, tolerance):
        return Comparison(True, [], facts)
    direction = "higher" if got_number > expected_number else "lower"
    within = f" (beyond the tolerance of {tolerance:g})" if tolerance else ""
    detail = f"{normalize.show(got_number)} is {direction} than the reference{within}."
    return Comparison(False, [detail], facts)


def to_choice(answer, choices: tuple[str, ...]) -> str:
    if not isinstance(answer, str):
        raise WrongType(type(answer).__name__)
    chosen = answer.strip().lower()
    if chosen not in [choice.lower() for choice in choices]:
        raise NotAChoice(
            f"{answer.strip()!r} is not one of the choices {', '.join(choices)}"
        )
    return chosen


def compare_choices(expected, got, choices: tuple[str, ...]) -> Comparison:
    expected_choice = str(expected).strip().lower()
    got_choice = to_choice(got, choices)
    facts = Facts(answer_kind="choice", got_value=got_choice)
    if got_choice == expected_choice:
        return Comparison(True, [], facts)
    return Comparison(False, [f"{got_choice!r} is not the best choice here."], facts)
