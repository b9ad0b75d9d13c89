"""Recognisers of mistakes in the parsed SQL of an answer, by name.

Each recogniser takes the statements that sqlglot parsed from the candidate's
SQL and returns whether the construct it names is there. The catalogue
(kit/catalogue.yaml) and exercises.yaml refer to them by name, as the
condition ``parsed: NAME``. SQL that sqlglot cannot parse matches no
recogniser: ``matches`` returns False and never raises.
"""

import logging
from collections.abc import Callable, Iterator
from functools import lru_cache

import sqlglot
from sqlglot import exp

log = logging.getLogger(__name__)

DEFAULT_DIALECT = "duckdb"
# Calls that read the wall clock, by their lower-case name, for the calls
# that sqlglot 30.31 parses as anonymous functions in DuckDB SQL.
WALL_CLOCK_CALLS = ("now", "today", "get_current_date", "get_current_timestamp")
WALL_CLOCK_NODES = (
    exp.CurrentDate,
    exp.CurrentTimestamp,
    exp.CurrentTime,
    exp.CurrentDatetime,
)
AS_OF_CALL = "as_of_date"
# Nodes that open a query of their own: a pattern of one query level stops there.
QUERY_NODES = (exp.Select, exp.Subquery, exp.SetOperation)


@lru_cache(maxsize=64)
def parse(sql: str, dialect: str | None = None) -> tuple[exp.Expression, ...] | None:
    """Return the statements of ``sql``, or None when sqlglot cannot parse it."""
    try:
        statements = sqlglot.parse(sql, read=dialect or DEFAULT_DIALECT)
    except sqlglot.errors.SqlglotError as error:
        log.debug("sqlglot cannot parse the SQL: %s", error)
        return None
    except (ValueError, RecursionError) as error:
        # sqlglot raises these for a few malformed inputs.
        log.debug("sqlglot failed on the SQL: %s", error)
        return None
    return tuple(statement for statement in statements if statement is not None)


def matches(name: str, sql: str | None, dialect: str | None = None) -> bool:
    """Return whether the recogniser ``name`` finds its construct in ``sql``."""
    if sql is None:
        return False
    statements = parse(sql, dialect)
    if not statements:
        return False
    try:
        return any(RECOGNISERS[name](statement) for statement in statements)
    except (AttributeError, TypeError, ValueError) as error:
        # A tree shape a recogniser did not foresee is a non-match, not a crash.
        log.warning("SQL recogniser %s failed: %s", name, error)
        return False


def _in_level(node: exp.Expression) -> Iterator[exp.Expression]:
    """Yield the descendants of ``node`` outside any nested query."""
    root = node
    for child in node.walk(
        prune=lambda n: n is not root and isinstance(n, QUERY_NODES)
    ):
        if child is root or not isinstance(child, QUERY_NODES):
            yield child


def _selects(tree: exp.Expression) -> Iterator[exp.Select]:
    yield from tree.find_all(exp.Select)


def _name(node: exp.Expression) -> str:
    return node.name.lower() if node.name else ""


def _is_call(node: exp.Expression, names: tuple[str, ...]) -> bool:
    return isinstance(node, exp.Anonymous) and _name(node) in names


def _inside(node: exp.Expression, types: tuple, stop: exp.Expression) -> bool:
    """Return whether an ancestor of ``node`` below ``stop`` is one of ``types``."""
    parent = node.parent
    while parent is not None and parent is not stop:
        if isinstance(parent, types):
            return True
        parent = parent.parent
    return False


def window_in_where(tree: exp.Expression) -> bool:
    """Match a window function inside WHERE, directly or through a SELECT alias.

    DuckDB lets WHERE name an alias of its own SELECT list, so
    ``RANK() OVER (...) AS arr_rank ... WHERE arr_rank <= 100`` counts too.
    """
    for select in _selects(tree):
        where = select.args.get("where")
        if where is None:
            continue
        windowed = {
            alias.alias.lower()
            for alias in select.expressions
            if isinstance(alias, exp.Alias) and alias.this.find(exp.Window)
        }
        for node in _in_level(where):
            if isinstance(node, exp.Window):
                return True
            if isinstance(node, exp.Column) and not node.table:
                if _name(node) in windowed:
                    return True
    return False


def left_join_filtered_in_where(tree: exp.Expression) -> bool:
    """Match a WHERE condition on a column of a LEFT JOIN's right-hand table.

    Only columns written with the table's alias count, because which table an
    unqualified column belongs to needs the schema. A test ``IS NULL`` on the
    right-hand side, the anti-join, and a COALESCE around it keep the
    unmatched rows, so they do not count.
    """
    for select in _selects(tree):
        where = select.args.get("where")
        right_sides = {
            join.this.alias_or_name.lower()
            for join in select.args.get("joins") or ()
            if join.side.upper() == "LEFT"
        }
        if where is None or not right_sides:
            continue
        for column in _in_level(where):
            if not isinstance(column, exp.Column):
                continue
            if column.table.lower() in right_sides and not _inside(
                column, (exp.Is, exp.Coalesce), where
            ):
                return True
    return False


def row_number_or_limit(tree: exp.Expression) -> bool:
    """Match ROW_NUMBER() or a LIMIT, which both cut ties at a place arbitrarily."""
    return any(True for _ in tree.find_all(exp.RowNumber, exp.Limit))


def dense_rank(tree: exp.Expression) -> bool:
    """Match DENSE_RANK(), which does not skip places after a tie."""
    return any(True for _ in tree.find_all(exp.DenseRank))


def count_star(tree: exp.Expression) -> bool:
    """Match COUNT(*), which counts a row delivered twice as two."""
    return any(isinstance(count.this, exp.Star) for count in tree.find_all(exp.Count))


def wall_clock(tree: exp.Expression) -> bool:
    """Match CURRENT_DATE, NOW(), today() and the other wall-clock calls."""
    for node in tree.walk():
        if isinstance(node, WALL_CLOCK_NODES) or _is_call(node, WALL_CLOCK_CALLS):
            return True
    return False


def _anchor_offset(node: exp.Expression) -> int | None | bool:
    """Return the day offset of a date anchor expression, or False for none.

    The anchor is as_of_date() or the wall clock, with any added or
    subtracted days. The offset is None when it is not a literal number of
    days.
    """
    offset: int | None = 0
    # The date functions are how sqlglot parses DATEADD(day, -30, d) and
    # DATE_SUB(d, INTERVAL 30 DAY) in the other dialects.
    shifts = (exp.Add, exp.Sub, exp.DateAdd, exp.DateSub, exp.TsOrDsAdd)
    while isinstance(node, (*shifts, exp.Paren, exp.Cast)):
        if isinstance(node, shifts):
            days = _days(node.expression)
            offset = None if days is None or offset is None else offset + days
        node = node.this
    anchored = _is_call(node, (AS_OF_CALL, *WALL_CLOCK_CALLS)) or isinstance(
        node, WALL_CLOCK_NODES
    )
    return offset if anchored else False


def _days(node: exp.Expression) -> int | None:
    """Return the number of days a literal or an INTERVAL stands for, if plain."""
    if isinstance(node, exp.Interval | exp.Neg):
        node = node.this
    if not isinstance(node, exp.Literal):
        return None
    words = str(node.this).split()
    return int(words[0]) if words and words[0].isdigit() else None


def _round_bound(node: exp.Expression) -> bool:
    """Return whether ``node`` is an anchor offset by a multiple of 5 days, or none.

    An inclusive bound written one day inside the edge, such as
    ``<= as_of_date() - 1`` or ``BETWEEN as_of_date() AND as_of_date() + 89``,
    is the correct form of a half-open window, so it does not count.
    """
    offset = _anchor_offset(node)
    if offset is False:
        return False
    return offset is None or offset % 5 == 0


def off_by_one_bounds(tree: exp.Expression) -> bool:
    """Match a date window bound that takes or loses the day at a window edge.

    Windows here are half-open, [start, end): a column ``> edge`` loses the
    first day, and ``<= edge`` or ``BETWEEN ... AND edge`` takes the first
    day after the window. An edge is as_of_date() or the wall clock with no
    offset or one that is a multiple of 5 days.
    """
    # NOTE: a threshold that is not a window, such as signup_date <= as_of_date()
    # - 180, looks the same; exercises pair this with a result condition.
    for node in tree.walk():
        if isinstance(node, exp.Between):
            if _round_bound(node.args["high"]):
                return True
        elif isinstance(node, exp.GT | exp.LTE) and _round_bound(node.expression):
            return True
        elif isinstance(node, exp.LT | exp.GTE) and _round_bound(node.this):
            # edge < column is column > edge, and edge >= column is
            # column <= edge.
            return True
    return False


def no_status_filter(tree: exp.Expression) -> bool:
    """Match SQL that never compares a column whose name ends in ``status``.

    A filter may sit in WHERE, ON, HAVING, QUALIFY, FILTER or a CASE inside an
    aggregate, so any comparison counts as one.
    """
    comparisons = (exp.EQ, exp.NEQ, exp.In, exp.Is, exp.Like, exp.ILike)
    for node in tree.find_all(*comparisons):
        for column in node.find_all(exp.Column):
            if _name(column).endswith("status"):
                return False
    return True


def _unguarded_columns(condition: exp.Expression) -> set[str]:
    """Return the columns a WHEN condition compares outside COALESCE."""
    return {
        _name(column)
        for column in condition.find_all(exp.Column)
        if not _inside(column, (exp.Coalesce,), condition)
    }


def _column_names(node: exp.Expression) -> set[str]:
    return {_name(column) for column in node.find_all(exp.Column)}


def case_else_catches_null(tree: exp.Expression) -> bool:
    """Match a CASE with an ELSE whose WHEN branches let a compared NULL through.

    A NULL value matches no comparison, so it falls through to the ELSE: a
    merchant without a baseline gets the ELSE's label. A column counts as
    handled when a branch tests it IS NULL or wraps it in COALESCE.
    """
    for case in tree.find_all(exp.Case):
        if case.args.get("default") is None:
            continue
        compared: set[str] = set()
        null_handled: set[str] = set()
        for branch in case.args.get("ifs") or ():
            condition = branch.this
            for is_test in condition.find_all(exp.Is):
                if isinstance(is_test.expression, exp.Null):
                    null_handled |= _column_names(is_test)
            for coalesce in condition.find_all(exp.Coalesce):
                null_handled |= _column_names(coalesce)
            compared |= _unguarded_columns(condition)
        if compared - null_handled:
            return True
    return False


def qualify_alias_shadows_input(tree: exp.Expression) -> bool:
    """Match a QUALIFY that names an alias which is also an input column's name.

    In DuckDB 2.0 a name in QUALIFY binds to the input column first, so
    ``SUM(arr_value) AS arr_value ... QUALIFY ... ORDER BY arr_value`` ranks
    by the raw column, or fails under GROUP BY. An input column is one the
    query reads: a column inside the aliased expression, or one written with
    a table alias anywhere in the query.
    """
    for select in _selects(tree):
        qualify = select.args.get("qualify")
        if qualify is None:
            continue
        qualified_inputs = {
            _name(column)
            for column in _in_level(select)
            if isinstance(column, exp.Column) and column.table
        }
        shadowing = set()
        for alias in select.expressions:
            if not isinstance(alias, exp.Alias):
                continue
            name = alias.alias.lower()
            inner = alias.this
            if isinstance(inner, exp.Column) and _name(inner) == name:
                continue
            inputs = {_name(column) for column in inner.find_all(exp.Column)}
            if name in inputs or name in qualified_inputs:
                shadowing.add(name)
        if _qualify_names(select, qualify) & shadowing:
            return True
    return False


def _qualify_names(select: exp.Select, qualify: exp.Expression) -> set[str]:
    """Return the unqualified names QUALIFY reads, through the aliases it names.

    ``QUALIFY segment_rank <= 5`` reads the names inside the window that
    ``segment_rank`` aliases, such as its ORDER BY column.
    """
    aliases = {
        alias.alias.lower(): alias.this
        for alias in select.expressions
        if isinstance(alias, exp.Alias)
    }
    names = set()
    for column in qualify.find_all(exp.Column):
        if column.table:
            continue
        names.add(_name(column))
        aliased = aliases.get(_name(column))
        if aliased is not None and aliased.find(exp.Window):
            names |= {
                _name(inner)
                for inner in aliased.find_all(exp.Column)
                if not inner.table
            }
    return names


RECOGNISERS: dict[str, Callable[[exp.Expression], bool]] = {
    "window_in_where": window_in_where,
    "left_join_filtered_in_where": left_join_filtered_in_where,
    "row_number_or_limit": row_number_or_limit,
    "dense_rank": dense_rank,
    "count_star": count_star,
    "wall_clock": wall_clock,
    "off_by_one_bounds": off_by_one_bounds,
    "no_status_filter": no_status_filter,
    "case_else_catches_null": case_else_catches_null,
    "qualify_alias_shadows_input": qualify_alias_shadows_input,
}
