"""Reference results: the solution of an exercise run on the candidate's dataset.

A .sql solution is a query whose result is the reference. A .py solution is
the code of a notebook cell that assigns ``answer``; it runs in a fresh
namespace where ``con`` is the reference connection, as it would in the
solved notebook. Results are cached in memory per dataset file identity,
exercise and the versions of every solution it runs, and never written to disk.
"""

import logging
from pathlib import Path

import duckdb
import pandas as pd

from kit import db
from kit.errors import ReferenceFailed
from kit.notebooks import solved_answer_part
from kit.registry import Exercise, load_registry
from kit.run_sql import SqlFailed, fetch_relation, run_sql

log = logging.getLogger(__name__)

_cache: dict[tuple, object] = {}


def reference_answer(exercise: Exercise, db_path: Path):
    """Return the reference answer of ``exercise`` on the dataset at ``db_path``."""
    identity = db.current_identity(db_path)
    key = (db_path, identity, exercise.id, _solution_versions(exercise))
    if key not in _cache:
        for stale in [k for k in _cache if k[0] == db_path and k[1] != identity]:
            del _cache[stale]
        connection = db.shared_connection(db_path, "reference")
        _cache[key] = _compute(exercise, connection)
    return _cache[key]


def _solution_versions(exercise: Exercise) -> tuple:
    """Return the path and modification time of every solution the reference runs.

    A .py solution runs the solutions of the exercises it uses first, so an
    edit to any of them changes the reference too.
    """
    versions = []
    for part in [*_used_exercises(exercise), exercise]:
        try:
            modified = part.solution_path.stat().st_mtime_ns
        except OSError as error:
            raise ReferenceFailed(
                f"the solution file {part.solution} of {part.id} is missing "
                f"({error.strerror}): restore it under solutions/"
            ) from error
        versions.append((part.solution_path, modified))
    return tuple(versions)


def clear_cache() -> None:
    _cache.clear()


def _compute(exercise: Exercise, connection: duckdb.DuckDBPyConnection):
    """Run the solution on a fresh cursor of the reference connection.

    With duckdb 2.0.1 a result left unfetched by ``execute()`` blocks every
    later query on its connection, so each solution gets its own cursor.
    """
    text = exercise.solution_path.read_text(encoding="utf-8")
    cursor = connection.cursor()
    try:
        if exercise.solution_path.suffix == ".sql":
            answer = _run_reference_sql(exercise, cursor, text)
        else:
            answer = _run_solution_code(exercise, cursor, text)
        from_query = isinstance(answer, str | duckdb.DuckDBPyRelation)
        if exercise.takes_table or (exercise.takes_sql and from_query):
            answer = _as_frame(exercise, cursor, answer)
    finally:
        cursor.close()
    log.debug("computed the reference of %s", exercise.id)
    return answer


def _run_reference_sql(exercise, connection, sql: str) -> pd.DataFrame:
    try:
        result = run_sql(connection, sql)
    except SqlFailed as error:
        raise ReferenceFailed(
            f"the reference solution {exercise.solution} failed on this dataset: "
            f"{error}. Regenerate the dataset with `python -m datagen`; if that "
            "does not help, the solution needs fixing"
        ) from error
    if result.not_finite:
        log.warning(
            "reference %s contains NaN or infinity in %s",
            exercise.id,
            ", ".join(result.not_finite),
        )
    return result.frame


def _run_solution_code(exercise, connection, code: str):
    namespace = solution_namespace(exercise, connection, code)
    if "answer" not in namespace:
        raise ReferenceFailed(
            f"the reference solution {exercise.solution} assigns no `answer`: "
            "end it with `answer = ...`"
        )
    return namespace["answer"]


def solution_namespace(
    exercise: Exercise, connection: duckdb.DuckDBPyConnection, code: str | None = None
) -> dict:
    """Run a .py solution as the solved notebook would and return its names.

    The namespace holds ``con``; the solutions of the exercises it uses run
    first, so the names they define exist, as in the notebook.
    """
    if code is None:
        code = exercise.solution_path.read_text(encoding="utf-8")
    namespace = {"__name__": "__kit_solution__", "con": connection}
    try:
        for used in _used_exercises(exercise):
            source = solved_answer_part(used)
            exec(compile(source, str(used.solution_path), "exec"), namespace)
        exec(compile(code, str(exercise.solution_path), "exec"), namespace)
    except Exception as error:  # the solution is arbitrary notebook code
        raise ReferenceFailed(
            f"the reference solution {exercise.solution} raised "
            f"{type(error).__name__}: {error}. Regenerate the dataset with "
            "`python -m datagen`; if that does not help, the solution needs fixing"
        ) from error
    return namespace


def _used_exercises(exercise: Exercise) -> list[Exercise]:
    return load_registry().uses_of(exercise)


def _as_frame(exercise, connection, answer) -> pd.DataFrame:
    if isinstance(answer, pd.DataFrame):
        return answer
    if isinstance(answer, str):
        return _run_reference_sql(exercise, connection, answer)
    if isinstance(answer, duckdb.DuckDBPyRelation):
        return fetch_relation(answer).frame
    raise ReferenceFailed(
        f"the reference solution {exercise.solution} assigns a "
        f"{type(answer).__name__} to `answer`; answer: {exercise.answer} needs a "
        "DataFrame or SQL text"
    )
