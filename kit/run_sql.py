"""Run a candidate's or a reference's SQL and fetch the result as a DataFrame.

``Relation.df()`` turns NULL into NaN in float columns, so a NaN or an
infinity that the SQL itself produced, for example by a division by zero,
would pass for NULL. Before fetching, the query is extended by one flag per
float column that DuckDB computes with ``isnan`` and ``isinf``, so those
cells are known even after pandas has made them NaN.
"""

import logging
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
_FLAG_PREFIX = "__kit_not_finite_"


class SqlFailed(Exception):
    """The SQL failed in DuckDB; the message is DuckDB's, with its LINE context."""


@dataclass
class SqlResult:
    """A fetched result and, per float column, which rows are NaN or infinite."""

    frame: pd.DataFrame
    not_finite: dict[str, np.ndarray] = field(default_factory=dict)


def run_sql(connection: duckdb.DuckDBPyConnection, sql: str) -> SqlResult:
    """Run ``sql`` on a fresh cursor of ``connection`` and fetch its result.

    A fresh cursor keeps temporary tables of one run away from the next.
    Raises SqlFailed with DuckDB's message when the SQL fails or
    returns no result.
    """
    _require_one_query(connection, sql)
    # TODO: set a time and memory limit, because a runaway join blocks the kernel.
    cursor = connection.cursor()
    try:
        try:
            relation = cursor.sql(sql)
        except duckdb.Error as error:
            raise SqlFailed(_message_with_line(connection, sql, error)) from error
        if relation is None:
            raise SqlFailed(
                "The SQL ran but returned no result: end it with a SELECT query."
            )
        return fetch_relation(relation)
    finally:
        cursor.close()


def _require_one_query(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise SqlFailed unless ``sql`` is exactly one query.

    Settings such as SET memory_limit apply to the whole database in this
    process, the references' connection included, so only a single SELECT
    (or WITH or FROM) statement is run. SQL that does not parse is left to
    run, so that DuckDB's own message with its LINE context is shown.
    """
    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error:
        return
    if len(statements) != 1:
        raise SqlFailed(
            f"The answer contains {len(statements)} SQL statements. Give exactly one "
            "query (SELECT, WITH or FROM) to check."
        )
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise SqlFailed(
            f"The answer is a {kind.name} statement, but only a query (SELECT, WITH "
            "or FROM) can be checked. Remove the statement and keep the query."
        )


def fetch_relation(relation: duckdb.DuckDBPyRelation) -> SqlResult:
    """Fetch a relation as a DataFrame, flagging NaN and infinity in float columns."""
    float_positions = [
        position
        for position, column_type in enumerate(relation.types)
        if str(column_type) in FLOAT_TYPES
    ]
    if float_positions:
        try:
            return _fetch_with_flags(relation, float_positions)
        except duckdb.Error:
            log.debug("flagging float columns failed; fetching plainly", exc_info=True)
    try:
        return SqlResult(relation.df())
    except duckdb.Error as error:
        raise SqlFailed(str(error)) from error


def _fetch_with_flags(
    relation: duckdb.DuckDBPyRelation, float_positions: list[int]
) -> SqlResult:
    names = relation.columns
    flags = []
    for position in float_positions:
        quoted = '"' + names[position].replace('"', '""') + '"'
        flags.append(
            f'(isnan({quoted}) OR isinf({quoted})) AS "{_FLAG_PREFIX}{position}"'
        )
    frame = relation.project("*, " + ", ".join(flags)).df()
    width = len(names)
    result = frame.iloc[:, :width].copy()
    not_finite = {}
    for offset, position in enumerate(float_positions):
        mask = frame.iloc[:, width + offset].fillna(False).to_numpy(dtype=bool)
        if mask.any():
            not_finite[result.columns[position]] = mask
    return SqlResult(result, not_finite)


def _message_with_line(
    connection: duckdb.DuckDBPyConnection, sql: str, error: duckdb.Error
) -> str:
    """Return DuckDB's message, rerunning the SQL once to get its LINE context.

    With duckdb 2.0.1 some binder errors raised by ``sql()`` lack the LINE
    context that ``execute()`` gives for the same query.
    """
    message = str(error)
    if "LINE " in message:
        return message
    retry = connection.cursor()
    try:
        retry.execute(sql)
    except duckdb.Error as retry_error:
        if "LINE " in str(retry_error):
            return str(retry_error)
    finally:
        retry.close()
    return message
