"""`rows()`: a candidate's answer as a DataFrame, for the cells that build on it."""

from collections.abc import Iterable

import duckdb
import pandas as pd

from kit import db
from kit.checking import is_placeholder
from kit.errors import KitError
from kit.run_sql import SqlFailed, fetch_relation, run_sql


def rows(
    answer, db_path=None, *, required_columns: Iterable[str] = ()
) -> pd.DataFrame | None:
    """Return the result of an exercise answer for a cell that builds on it.

    ``answer`` is what check() takes for a table: SQL text, a DuckDB relation
    or a DataFrame. Column names come back in lower case, because check()
    compares them in any case. When the answer is still the template's
    placeholder, fails, or lacks one of ``required_columns``, this prints why
    and returns None, so the cell can skip its work instead of raising.
    """
    if is_placeholder(answer):
        print(
            "The answer above is not written yet: write it in the exercise cell, "
            "run that cell, then run this one again."
        )
        return None
    try:
        frame = _answer_frame(answer, db_path)
    except (SqlFailed, KitError) as error:
        print(f"Your query failed, so this cell has nothing to show: {error}")
        return None
    if frame is None:
        print(
            f"The answer above has the type {type(answer).__name__}, so this cell "
            "has nothing to show: make it SQL text or a DataFrame, run the "
            "exercise cell, then run this one again."
        )
        return None
    frame.columns = [str(name).lower() for name in frame.columns]
    missing = [name for name in required_columns if name not in frame.columns]
    if missing:
        print(
            f"Your result has no column {', '.join(missing)}, so this cell has "
            "nothing to show: name the columns as the exercise asks, then run "
            "both cells again."
        )
        return None
    return frame


def _answer_frame(answer, db_path) -> pd.DataFrame | None:
    """Return a copy of the answer's table, or None for another kind of value."""
    if isinstance(answer, pd.DataFrame):
        return answer.copy()
    if isinstance(answer, duckdb.DuckDBPyRelation):
        return fetch_relation(answer).frame
    if isinstance(answer, str):
        return run_sql(db.connect(db_path), answer).frame
    return None
