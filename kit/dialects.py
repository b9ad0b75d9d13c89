"""SQL dialects: answers written for PostgreSQL, MySQL, Snowflake, BigQuery or
Redshift, transpiled with sqlglot and run on the DuckDB dataset.

Where a dialect computes differently from DuckDB, the transpiled query keeps
the dialect's semantics when sqlglot can, and the verdict says what differs
when it cannot:

- integer / integer truncates in PostgreSQL and Redshift. The query is
  qualified and typed against the dataset's schema, so sqlglot emits a
  truncation where both operands are integers; where a type stays unknown,
  the verdict notes that DuckDB kept the fraction;
- NULL order, MySQL's division by zero and BigQuery's Sunday weeks follow
  the dialect through sqlglot, MySQL's TIMESTAMPDIFF counts whole units as
  MySQL does, and date arithmetic that returns a DATE in the dialect returns
  a DATE here too;
- constructs a dialect lacks (dialect_rules.yaml ``lacks``) are rejected
  with their line and column, because sqlglot would accept them;
- differences DuckDB cannot reproduce (``differences`` there) are noted.

The candidate's ``as_of_date()`` macro passes through as a function call,
typed as a DATE.
"""

import logging
from dataclasses import dataclass, field

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from kit import dialect_rules
from kit.errors import KitError
from kit.run_sql import SqlFailed

log = logging.getLogger(__name__)

# The kit's dialect names, which are sqlglot's, and how messages name them.
DIALECT_NAMES = {
    "duckdb": "DuckDB",
    "postgres": "PostgreSQL",
    "mysql": "MySQL",
    "snowflake": "Snowflake",
    "bigquery": "BigQuery",
    "redshift": "Redshift",
}
ALIASES = {"postgresql": "postgres"}
TRUNCATING_DIVISION = ("postgres", "redshift")
# Dialects whose date-plus-interval functions return a DATE for a DATE.
DATE_PRESERVING = ("mysql", "snowflake", "bigquery")
DATE_UNITS = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")

_default: str | None = None
# The dialect argument of the latest check() under grading, as given.
_checked: str | None = None


class UnknownDialect(KitError):
    """A dialect name the kit does not support."""


@dataclass
class Transpiled:
    """DuckDB SQL for an answer, and notes on what DuckDB computes differently."""

    sql: str
    notes: list[str] = field(default_factory=list)


def supported_dialects() -> str:
    return ", ".join(DIALECT_NAMES)


def resolve_dialect(dialect: str | None) -> str | None:
    """Return the kit's name for ``dialect``, or None for DuckDB.

    Raises UnknownDialect naming the value and the supported dialects.
    """
    if dialect is None:
        return None
    name = dialect.strip().lower() if isinstance(dialect, str) else None
    name = ALIASES.get(name, name)
    if name not in DIALECT_NAMES:
        raise UnknownDialect(
            f"unknown SQL dialect {dialect!r}: use one of {supported_dialects()}"
        )
    return None if name == "duckdb" else name


def display_name(dialect: str | None) -> str:
    return DIALECT_NAMES[dialect or "duckdb"]


def use_dialect(dialect: str | None) -> None:
    """Set the dialect check() reads SQL answers in, for this kernel.

    ``None`` or ``"duckdb"`` go back to DuckDB SQL. An explicit
    ``check(..., dialect=...)`` still wins. An unknown name prints why and
    keeps the dialect as it was.
    """
    global _default
    try:
        _default = resolve_dialect(dialect)
    except UnknownDialect as error:
        print(
            f"No dialect change: {error}. Still checking {display_name(_default)} SQL."
        )
        return
    if _default is None:
        print("check() now reads SQL answers as DuckDB SQL.")
    else:
        print(
            f"check() now reads SQL answers as {display_name(_default)} SQL and "
            "runs them on the DuckDB dataset."
        )


def default_dialect() -> str | None:
    """Return the dialect set by use_dialect(), None for DuckDB."""
    return _default


def record_checked(dialect) -> None:
    """Record the dialect of a check() under grading, for take_checked_dialect()."""
    global _checked
    _checked = dialect if isinstance(dialect, str) else None


def take_checked_dialect() -> str | None:
    """Return the dialect of the latest check() under grading, and forget it.

    Without such a check, returns the use_dialect() default. The grader
    reads it after each exercise cell, so it judges SQL in its dialect.
    """
    global _checked
    dialect = _checked if _checked is not None else _default
    _checked = None
    return dialect


def to_duckdb(
    sql: str, dialect: str | None, connection: duckdb.DuckDBPyConnection
) -> str:
    """Return ``sql``, written in ``dialect``, as DuckDB SQL for ``connection``.

    ``connection`` is a connection to the dataset the query will run on: its
    schema types the query. Raises UnknownDialect for an unknown dialect and
    SqlFailed, with the line and column, when the SQL does not parse in the
    dialect or uses a construct the dialect lacks.
    """
    return transpile(sql, dialect, connection).sql


def transpile(
    sql: str, dialect: str | None, connection: duckdb.DuckDBPyConnection
) -> Transpiled:
    """Transpile like to_duckdb(), keeping the notes on what DuckDB does differently.

    DuckDB SQL (``dialect`` None or "duckdb") is returned unchanged.
    """
    name = resolve_dialect(dialect)
    if name is None:
        return Transpiled(sql)
    rules = dialect_rules.load_rules()
    lacking = dialect_rules.find_matches(sql, rules.lacks, name)
    if lacking:
        raise SqlFailed("\n".join(_lack_message(match, name) for match in lacking))
    schema = _schema(connection, name)
    notes = []
    outputs = []
    try:
        for statement in _parse(sql, name):
            duck, statement_notes = _convert(statement, name, schema)
            outputs.append(duck)
            notes += [note for note in statement_notes if note not in notes]
    except RecursionError as error:
        # sqlglot parses nested parentheses recursively, so a few dozen
        # levels can exhaust Python's recursion limit.
        raise SqlFailed(
            f"The SQL nests parentheses too deeply to transpile from "
            f"{display_name(name)}: move inner expressions into CTEs."
        ) from error
    differing = dialect_rules.find_matches(sql, rules.differences, name)
    notes += [_difference_note(match, name) for match in differing]
    return Transpiled(";\n".join(outputs), notes)


def _lack_message(match: dialect_rules.Match, dialect: str) -> str:
    return (
        f"{display_name(dialect)} has no {match.rule.construct} (line {match.line}, "
        f"column {match.column}): {match.rule.advice[dialect].strip()}"
    )


def _difference_note(match: dialect_rules.Match, dialect: str) -> str:
    return (
        f"Dialect difference at line {match.line}, column {match.column} "
        f"({match.rule.construct}): {match.rule.advice[dialect].strip()}"
    )


def _parse(sql: str, dialect: str) -> list[exp.Expression]:
    """Parse ``sql`` in ``dialect``, raising SqlFailed with the line and column."""
    try:
        statements = sqlglot.parse(sql, read=dialect)
    except ParseError as error:
        raise SqlFailed(_parse_message(sql, dialect, error)) from error
    except TokenError as error:
        raise SqlFailed(
            f"The SQL is not valid {display_name(dialect)}: {error}"
        ) from error
    return [statement for statement in statements if statement is not None]


def _parse_message(sql: str, dialect: str, error: ParseError) -> str:
    first = error.errors[0] if error.errors else {}
    line, column = first.get("line"), first.get("col")
    description = first.get("description") or str(error).splitlines()[0]
    if not line:
        return f"The SQL is not valid {display_name(dialect)}: {description}."
    lines = [
        f"The SQL is not valid {display_name(dialect)} at line {line}, column "
        f"{column}: {description}."
    ]
    source = sql.splitlines()
    if line <= len(source):
        text = source[line - 1]
        lines += [
            f"LINE {line}: {text}",
            " " * (len(f"LINE {line}: ") + column - 1) + "^",
        ]
    return "\n".join(lines)


def _schema(connection: duckdb.DuckDBPyConnection, dialect: str) -> MappingSchema:
    """Return the dataset's tables and column types, named as ``dialect`` names them."""
    rows = connection.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, column_type in rows:
        tables.setdefault(table, {})[column] = column_type
    return MappingSchema(tables, dialect=dialect)


def _convert(
    statement: exp.Expression, dialect: str, schema: MappingSchema
) -> tuple[str, list[str]]:
    """Return one statement as DuckDB SQL, typed where the schema allows."""
    statement = statement.transform(_typed_as_of_date)
    notes = []
    try:
        statement = qualify(
            statement,
            schema=schema,
            dialect=dialect,
            validate_qualify_columns=False,
            identify=False,
        )
        statement = annotate_types(statement, schema=schema, dialect=dialect)
    except SqlglotError as error:
        # The query may still run, for example when it names a column that
        # does not exist: DuckDB's own error message then names it.
        log.debug("typing the %s query failed: %s", dialect, error)
    if dialect in TRUNCATING_DIVISION:
        notes += _untyped_division_notes(statement, dialect)
    if dialect == "mysql":
        statement = statement.transform(_mysql_whole_units)
    if dialect in DATE_PRESERVING:
        statement = statement.transform(_keep_date)
    if dialect == "mysql":
        statement = statement.transform(_keep_date_minus_interval)
    return statement.sql(dialect="duckdb", pretty=True), notes


def _typed_as_of_date(node: exp.Expression) -> exp.Expression:
    """Wrap calls of the dataset's as_of_date() macro in a cast to DATE.

    sqlglot has no type for the macro, so without the cast date arithmetic
    on it stays untyped.
    """
    if (
        isinstance(node, exp.Anonymous)
        and str(node.this).lower() == "as_of_date"
        and not node.expressions
        and not isinstance(node.parent, exp.Cast)
    ):
        return exp.cast(node, exp.DataType.build("DATE"))
    return node


def _untyped_division_notes(statement: exp.Expression, dialect: str) -> list[str]:
    for division in statement.find_all(exp.Div):
        types = [division.this.type, division.expression.type]
        unknown = [t is None or t.is_type(exp.DataType.Type.UNKNOWN) for t in types]
        fractional = [
            t is not None and t.this in exp.DataType.REAL_TYPES for t in types
        ]
        if any(unknown) and not any(fractional):
            return [
                f"The kit could not tell the types of {division.sql(dialect)}: "
                f"{display_name(dialect)} truncates integer / integer, but DuckDB "
                "ran it as a division that keeps the fraction. Cast an operand "
                "to NUMERIC to be sure."
            ]
    return []


def _mysql_whole_units(node: exp.Expression) -> exp.Expression:
    """Run MySQL's TIMESTAMPDIFF with DuckDB's date_sub, which counts whole units.

    sqlglot turns it into date_diff, which counts unit boundaries instead:
    one month from 15 January to 14 February, where MySQL counts none.
    """
    if not isinstance(node, exp.TimestampDiff):
        return node
    unit = node.args.get("unit")
    unit_name = unit.name if unit is not None else "DAY"
    return exp.Anonymous(
        this="DATE_SUB",
        expressions=[exp.Literal.string(unit_name.upper()), node.expression, node.this],
    )


def _keep_date(node: exp.Expression) -> exp.Expression:
    """Cast DATE plus or minus whole days, weeks, months or years back to DATE.

    In MySQL, Snowflake and BigQuery that arithmetic returns a DATE, but the
    DuckDB SQL sqlglot writes returns a TIMESTAMP.
    """
    if not isinstance(node, exp.DateAdd | exp.DateSub):
        return node
    this_type = node.this.type
    unit = node.args.get("unit")
    unit_name = unit.name.upper() if unit is not None else "DAY"
    if this_type is None or not this_type.is_type(exp.DataType.Type.DATE):
        return node
    if unit_name not in DATE_UNITS or isinstance(node.parent, exp.Cast):
        return node
    return exp.cast(node, exp.DataType.build("DATE"))


def _keep_date_minus_interval(node: exp.Expression) -> exp.Expression:
    """Cast MySQL's DATE plus or minus an INTERVAL of whole days or more to DATE.

    MySQL returns a DATE there, DuckDB a TIMESTAMP.
    """
    if not isinstance(node, exp.Add | exp.Sub) or isinstance(node.parent, exp.Cast):
        return node
    date, interval = node.this, node.expression
    if isinstance(node, exp.Add) and isinstance(date, exp.Interval):
        date, interval = interval, date
    if not isinstance(interval, exp.Interval) or date.type is None:
        return node
    unit = interval.args.get("unit")
    unit_name = unit.name.upper() if unit is not None else ""
    if date.type.is_type(exp.DataType.Type.DATE) and unit_name in DATE_UNITS:
        return exp.cast(node, exp.DataType.build("DATE"))
    return node
