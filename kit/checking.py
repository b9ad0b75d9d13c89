"""check(): judge an answer against the reference, print the verdict, record it.

A wrong answer never raises. Whatever the candidate passes, the outcome is
one of four verdicts: correct, incorrect, not attempted, or could not be
checked. Only under KIT_STRICT=1 does check() raise CheckFailed, so that a
notebook runner fails exactly the cells whose verdict is not correct.
"""

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from kit import db, dialects, mistakes, progress, release_check, results, verdict
from kit.compare import Comparison, compare_frames
from kit.compare_labels import class_lines
from kit.compare_values import (
    NotAChoice,
    WrongType,
    compare_choices,
    compare_ids,
    compare_mappings,
    compare_numbers,
    to_choice,
    to_ids,
    to_mapping,
    to_number,
)
from kit.errors import CheckFailed, KitError, ReferenceFailed
from kit.facts import Facts
from kit.normalize import is_missing_answer
from kit.reference import reference_answer
from kit.registry import Exercise, load_registry
from kit.run_sql import SqlFailed, fetch_relation, run_sql
from kit.sql_text import has_statement, strip_comments
from kit.verdict import Verdict

log = logging.getLogger(__name__)

STRICT_VARIABLE = "KIT_STRICT"

EXPECTED_TYPES = {
    "sql": "a DataFrame or SQL text",
    "dataframe": "a DataFrame or SQL text",
    "ids": "a list or set of ids, or SQL text",
    "mapping": "a dict",
    "number": "a number, or SQL text returning one",
    "choice": "one of the choices as text",
}


GRADING_VARIABLE = "KIT_GRADING"


def strict_mode() -> bool:
    return os.environ.get(STRICT_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def check(exercise_id: str, answer, *, dialect: str | None = None) -> Verdict:
    """Check ``answer`` for an exercise, print the verdict and record it.

    ``answer`` is SQL text, a DataFrame or a DuckDB relation for SQL
    exercises, and a list, dict, number or text for the other kinds. SQL
    text is read in ``dialect`` (see kit.dialects), else in the dialect set
    by use_dialect(), else as DuckDB SQL. Returns the Verdict. Under
    KIT_STRICT=1 raises CheckFailed unless the answer is correct.
    """
    if dialect is None and isinstance(answer, str) and hasattr(answer, "dialect"):
        # A query stored by %%sql -o keeps the dialect it ran in, even after
        # use_dialect() changed the default. Its None means DuckDB.
        dialect = answer.dialect or "duckdb"
    if dialect is None:
        dialect = dialects.default_dialect()
    if os.environ.get(GRADING_VARIABLE):
        # The grader reads the answer and its dialect after the cell and
        # judges it itself.
        dialects.record_checked(dialect)
        print(f"{exercise_id}: recorded for grading.")
        return verdict.not_attempted(str(exercise_id))
    found, outcome = judge(exercise_id, answer, dialect=dialect)
    print(outcome.text())
    if found:
        progress.record_check(exercise_id, outcome.outcome.value, outcome.correct)
    results.append_result(str(exercise_id), outcome.outcome.value)
    if strict_mode() and not outcome.correct:
        raise CheckFailed(outcome.text(), outcome)
    return outcome


def judge(
    exercise_id: str,
    answer,
    *,
    dialect: str | None = None,
    db_path: Path | None = None,
) -> tuple[bool, Verdict]:
    """Return whether the exercise exists and the verdict, printing nothing.

    SQL text is read in ``dialect``; None means DuckDB SQL.
    """
    try:
        exercise = load_registry().get(exercise_id)
    except KitError as error:
        return False, verdict.uncheckable(str(exercise_id), _sentence(error))
    try:
        dialect = dialects.resolve_dialect(dialect)
    except dialects.UnknownDialect as error:
        return True, verdict.uncheckable(exercise.id, _sentence(error))
    try:
        return True, _judge_exercise(exercise, answer, db_path, dialect)
    except KitError as error:
        return True, verdict.uncheckable(exercise.id, _sentence(error))
    except Exception as error:  # a kit bug must not end the candidate's cell
        log.debug("checking %s failed", exercise.id, exc_info=True)
        reason = (
            f"the kit failed while checking this answer ({type(error).__name__}: "
            f"{error}). Your answer may be fine; please report this."
        )
        return True, verdict.uncheckable(exercise.id, reason)


def is_placeholder(answer) -> bool:
    """Return whether an answer is still the template's placeholder."""
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, str):
        return not has_statement(answer)
    if isinstance(answer, dict) and answer:
        return all(is_missing_answer(value) for value in answer.values())
    return False


def _judge_exercise(
    exercise: Exercise, answer, db_path: Path | None, dialect: str | None
) -> Verdict:
    if is_placeholder(answer):
        return verdict.not_attempted(exercise.id)
    if exercise.takes_table:
        return _judge_table(exercise, answer, db_path, dialect)
    return _judge_value(exercise, answer, db_path, dialect)


def _judge_table(
    exercise: Exercise, answer, db_path: Path | None, dialect: str | None
) -> Verdict:
    try:
        got = _table_answer(exercise, answer, db_path, dialect)
    except WrongType as error:
        return _wrong_type(exercise, str(error))
    except SqlFailed as error:
        return _sql_failed(exercise, answer, error, dialect)
    if release_check.is_release():
        return release_check.judge_table(exercise, got.frame)
    expected = reference_answer(exercise, db.dataset_path(db_path))
    comparison = compare_frames(
        expected,
        got.frame,
        exercise.compare,
        not_finite=got.not_finite if got.from_sql else None,
        answer_kind=exercise.answer,
    )
    comparison.facts.sql = _stripped(answer)
    comparison.facts.dialect = dialect
    if exercise.compare.labels and not comparison.matched:
        comparison.notes += class_lines(
            expected, got.frame, exercise.compare.keys, exercise.compare.labels
        )
    return _verdict_from(exercise, comparison, got.dialect_notes)


@dataclass
class _TableAnswer:
    """A table answer as a DataFrame, with its NaN and infinity flags from SQL."""

    frame: pd.DataFrame
    not_finite: dict = field(default_factory=dict)
    from_sql: bool = False
    # What DuckDB computes differently from the dialect the SQL was written in.
    dialect_notes: list[str] = field(default_factory=list)


def _table_answer(
    exercise: Exercise, answer, db_path: Path | None, dialect: str | None
) -> _TableAnswer:
    """Return a DataFrame answer as it is, and run SQL text or a relation.

    SQL text in another dialect is transpiled to DuckDB first.
    """
    if isinstance(answer, pd.DataFrame):
        return _TableAnswer(answer)
    notes = []
    if isinstance(answer, str):
        connection = db.shared_connection(db.dataset_path(db_path), "candidate")
        transpiled = dialects.transpile(answer, dialect, connection)
        notes = transpiled.notes
        result = run_transpiled(connection, transpiled.sql, dialect)
    elif isinstance(answer, duckdb.DuckDBPyRelation):
        result = fetch_relation(answer)
    else:
        raise WrongType(type(answer).__name__)
    return _TableAnswer(result.frame, result.not_finite, True, notes)


def run_transpiled(connection, sql: str, dialect: str | None):
    """Run DuckDB SQL, saying in a failure's message that it was transpiled."""
    try:
        return run_sql(connection, sql)
    except SqlFailed as error:
        if dialect is None:
            raise
        raise SqlFailed(
            f"DuckDB rejected the query transpiled from your "
            f"{dialects.display_name(dialect)} SQL, so its LINE below quotes "
            f"the transpiled text.\n{error}"
        ) from error


def _sql_failed(
    exercise: Exercise, answer, error: SqlFailed, dialect: str | None
) -> Verdict:
    facts = Facts(
        exercise.answer, sql=_stripped(answer), dialect=dialect, error=str(error)
    )
    # Only mistakes recognised by the error message apply, because a pattern
    # in SQL that never ran tells nothing about why it failed.
    by_error = [mistake for mistake in exercise.mistakes if "error" in mistake.when]
    found = mistakes.recognise(by_error, facts)
    details = [line for line in str(error).splitlines() if line.strip()]
    details += _mistake_lines(found)
    return verdict.uncheckable(
        exercise.id, "the SQL failed.", details, [m.id for m in found]
    )


def _judge_value(
    exercise: Exercise, answer, db_path: Path | None, dialect: str | None
) -> Verdict:
    is_query = isinstance(answer, str | duckdb.DuckDBPyRelation)
    dialect_notes = []
    if exercise.takes_sql and is_query:
        try:
            table = _table_answer(exercise, answer, db_path, dialect)
        except SqlFailed as error:
            return _sql_failed(exercise, answer, error, dialect)
        if table.not_finite:
            return _division_by_zero(exercise, answer, table, dialect)
        answer_value = table.frame
        dialect_notes = table.dialect_notes
    else:
        answer_value = answer
    try:
        _convert_candidate(exercise, answer_value)
    except NotAChoice as error:
        return verdict.uncheckable(exercise.id, f"{error}.")
    except WrongType as error:
        return _wrong_type(exercise, str(error))
    if release_check.is_release():
        if exercise.answer == "number":
            answer_value = to_number(answer_value)
        return release_check.judge_value(exercise, answer_value)
    expected = reference_answer(exercise, db.dataset_path(db_path))
    comparison = _compare_value(exercise, expected, answer_value)
    comparison.facts.sql = _stripped(answer)
    comparison.facts.dialect = dialect
    return _verdict_from(exercise, comparison, dialect_notes)


def _division_by_zero(
    exercise: Exercise, answer, table: _TableAnswer, dialect: str | None
) -> Verdict:
    columns = ", ".join(table.not_finite)
    facts = Facts(
        exercise.answer,
        sql=_stripped(answer),
        dialect=dialect,
        division_by_zero=True,
    )
    found = mistakes.recognise(exercise.mistakes, facts)
    details = [
        f"The query returned NaN or infinity in {columns}: a division by zero. "
        "Divide by NULLIF(denominator, 0)."
    ]
    return verdict.incorrect(
        exercise.id, details + _mistake_lines(found), [m.id for m in found]
    )


def _compare_value(exercise: Exercise, expected, answer) -> Comparison:
    tolerance = exercise.compare.tolerance
    tolerance = tolerance if isinstance(tolerance, float) else None
    try:
        if exercise.answer == "ids":
            return compare_ids(expected, answer)
        if exercise.answer == "mapping":
            return compare_mappings(
                expected,
                answer,
                tolerance,
                exercise.item_notes,
                exercise.compare.free_text,
                exercise.compare.jargon,
            )
        if exercise.answer == "number":
            return compare_numbers(expected, answer, tolerance)
        return compare_choices(expected, answer, exercise.choices)
    except WrongType as error:
        raise ReferenceFailed(
            f"the reference solution {exercise.solution} returns {error}, which "
            f"answer: {exercise.answer} cannot take; the solution needs fixing"
        ) from error


def _convert_candidate(exercise: Exercise, answer) -> None:
    if exercise.answer == "ids":
        to_ids(answer)
    elif exercise.answer == "mapping":
        to_mapping(answer)
    elif exercise.answer == "number":
        to_number(answer)
    else:
        to_choice(answer, exercise.choices)


def _verdict_from(
    exercise: Exercise, comparison: Comparison, dialect_notes=()
) -> Verdict:
    if comparison.matched:
        return verdict.correct(exercise.id, comparison.notes)
    found = mistakes.recognise(exercise.mistakes, comparison.facts)
    details = comparison.details + comparison.notes + _mistake_lines(found)
    details += list(dialect_notes)
    return verdict.incorrect(exercise.id, details, [m.id for m in found])


def _wrong_type(exercise: Exercise, description: str) -> Verdict:
    expected = EXPECTED_TYPES[exercise.answer]
    if exercise.answer == "choice":
        expected = f"one of {', '.join(exercise.choices)} as text"
    reason = (
        f"the answer is {_article(description)}, but this exercise expects {expected}."
    )
    return verdict.uncheckable(exercise.id, reason)


def _article(description: str) -> str:
    if description.startswith(("'", '"', "a ")):
        return description
    return ("an " if description[:1].lower() in "aeiou" else "a ") + description


def _mistake_lines(found) -> list[str]:
    return [f"Likely mistake: {mistake.message}" for mistake in found]


def _sentence(error: Exception) -> str:
    text = str(error).rstrip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _stripped(answer) -> str | None:
    return strip_comments(answer) if isinstance(answer, str) else None
