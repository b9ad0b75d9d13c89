"""`rows()`: a candidate's query as a DataFrame, for the cells that build on it."""

import pandas as pd

from kit import db
from kit.checking import is_placeholder
from kit.errors import KitError
from kit.run_sql import SqlFailed, run_sql


def rows(sql: str, db_path=None) -> pd.DataFrame | None:
    """Run one query of yours on the dataset and return its result.

    A cell that builds on an exercise's query calls this. When the query
    is still the template's placeholder or fails, it prints why and
    returns None, so the cell can skip its work instead of raising.
    """
    if not isinstance(sql, str) or is_placeholder(sql):
        print(
            "The query above is not written yet: write it in the exercise cell, "
            "run that cell, then run this one again."
        )
        return None
    try:
        return run_sql(db.connect(db_path), sql).frame
    except (SqlFailed, KitError) as error:
        print(f"Your query failed, so this cell has nothing to show: {error}")
        return None
