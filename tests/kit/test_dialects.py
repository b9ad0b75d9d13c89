"""kit.dialects on a generated dataset: semantics kept when transpiling to DuckDB."""

import datetime as dt

import pytest

from kit import db
from kit.dialects import (
    UnknownDialect,
    resolve_dialect,
    to_duckdb,
    transpile,
)
from kit.run_sql import SqlFailed

AS_OF = dt.date(2026, 6, 30)
ALL_DIALECTS = ("postgres", "mysql", "snowflake", "bigquery", "redshift")


@pytest.fixture(scope="module")
def connection(make_dataset):
    dataset = make_dataset(seed=42, merchants=300)
    con = db.open_read_only(dataset)
    yield con
    con.close()


def rows(connection, sql, dialect):
    return connection.sql(to_duckdb(sql, dialect, connection)).fetchall()


def test_duckdb_sql_unchanged(connection):
    sql = "SELECT 7 / 2 AS x -- a comment"
    assert to_duckdb(sql, None, connection) == sql
    assert to_duckdb(sql, "duckdb", connection) == sql
    assert rows(connection, sql, None) == [(3.5,)]


@pytest.mark.parametrize("dialect", ALL_DIALECTS)
def test_as_of_date_survives(connection, dialect):
    assert rows(connection, "SELECT as_of_date() AS d", dialect) == [(AS_OF,)]


@pytest.mark.parametrize("dialect", ["postgres", "redshift"])
def test_integer_division_truncates(connection, dialect):
    got = rows(connection, "SELECT 7 / 2 AS a, -7 / 2 AS b, 7.0 / 2 AS c", dialect)
    assert got == [(3, -3, 3.5)]


def test_integer_division_typed_from_schema(connection):
    sql = "SELECT seats, seats / 4 AS quarter FROM merchants ORDER BY merchant_id"
    got = rows(connection, sql, "postgres")
    assert got
    for seats, quarter in got:
        assert quarter == int(seats / 4)
    assert any(seats % 4 for seats, _ in got)


def test_integer_division_of_counts_truncates(connection):
    sql = "SELECT COUNT(*) / 7 AS weeks, COUNT(*) AS n FROM merchant_sessions"
    ((weeks, n),) = rows(connection, sql, "postgres")
    assert weeks == n // 7


@pytest.mark.parametrize("dialect", ["mysql", "snowflake", "bigquery"])
def test_division_keeps_fraction(connection, dialect):
    assert rows(connection, "SELECT 7 / 2 AS a", dialect) == [(3.5,)]


def test_mysql_division_by_zero_is_null(connection):
    assert rows(connection, "SELECT 7 / 0 AS a", "mysql") == [(None,)]


@pytest.mark.parametrize(
    "dialect,sql",
    [
        ("bigquery", "SELECT DATE_SUB(as_of_date(), INTERVAL 30 DAY) AS d"),
        ("mysql", "SELECT DATE_SUB(as_of_date(), INTERVAL 30 DAY) AS d"),
        ("mysql", "SELECT as_of_date() - INTERVAL 30 DAY AS d"),
        ("snowflake", "SELECT DATEADD(day, -30, as_of_date()) AS d"),
        ("postgres", "SELECT as_of_date() - 30 AS d"),
    ],
)
def test_date_arithmetic_returns_date(connection, dialect, sql):
    assert rows(connection, sql, dialect) == [(dt.date(2026, 5, 31),)]


@pytest.mark.parametrize(
    "dialect,sql",
    [
        ("redshift", "SELECT DATEADD(day, -30, as_of_date()) AS d"),
        ("postgres", "SELECT as_of_date() - INTERVAL '30 days' AS d"),
    ],
)
def test_date_arithmetic_returns_timestamp(connection, dialect, sql):
    assert rows(connection, sql, dialect) == [(dt.datetime(2026, 5, 31),)]


@pytest.mark.parametrize(
    "dialect,sql",
    [
        ("snowflake", "SELECT DATEDIFF(day, DATE '2026-06-01', as_of_date())"),
        ("redshift", "SELECT DATEDIFF(day, DATE '2026-06-01', as_of_date())"),
        ("mysql", "SELECT DATEDIFF(as_of_date(), DATE '2026-06-01')"),
        ("bigquery", "SELECT DATE_DIFF(as_of_date(), DATE '2026-06-01', DAY)"),
        ("postgres", "SELECT as_of_date() - DATE '2026-06-01'"),
    ],
)
def test_date_difference_argument_order(connection, dialect, sql):
    assert rows(connection, sql, dialect) == [(29,)]


def test_mysql_timestampdiff_counts_whole_months(connection):
    sql = (
        "SELECT TIMESTAMPDIFF(MONTH, DATE '2026-01-15', DATE '2026-02-14') AS a, "
        "TIMESTAMPDIFF(MONTH, DATE '2026-01-15', DATE '2026-02-15') AS b"
    )
    assert rows(connection, sql, "mysql") == [(0, 1)]


def test_snowflake_datediff_counts_boundaries(connection):
    sql = "SELECT DATEDIFF(month, DATE '2026-01-31', DATE '2026-02-01') AS a"
    assert rows(connection, sql, "snowflake") == [(1,)]


@pytest.mark.parametrize(
    "dialect,order,expected",
    [
        ("postgres", "DESC", [None, 2, 1]),
        ("snowflake", "DESC", [None, 2, 1]),
        ("mysql", "ASC", [None, 1, 2]),
        ("bigquery", "ASC", [None, 1, 2]),
        (None, "ASC", [1, 2, None]),
    ],
)
def test_null_order_follows_dialect(connection, dialect, order, expected):
    values = "SELECT 1 AS x UNION ALL SELECT NULL UNION ALL SELECT 2"
    sql = f"SELECT x FROM ({values}) AS t ORDER BY x {order}"
    assert [x for (x,) in rows(connection, sql, dialect)] == expected


def test_snowflake_names_upper_case(connection):
    sql = "SELECT merchant_id FROM merchants LIMIT 1"
    relation = connection.sql(to_duckdb(sql, "snowflake", connection))
    assert relation.columns == ["MERCHANT_ID"]


def test_qualify_kept_where_dialect_has_it(connection):
    sql = (
        "SELECT merchant_id, RANK() OVER (ORDER BY seats DESC, merchant_id) AS r "
        "FROM merchants AS m QUALIFY r <= 3"
    )
    for dialect in ("snowflake", "bigquery", "redshift"):
        assert len(rows(connection, sql, dialect)) == 3


def test_parse_error_has_line_and_column(connection):
    sql = "SELECT merchant_id\nFROM merchants\nWHERE seats > (1"
    with pytest.raises(SqlFailed) as raised:
        to_duckdb(sql, "postgres", connection)
    message = str(raised.value)
    assert message.startswith("The SQL is not valid PostgreSQL at line 3, column ")
    assert "LINE 3: WHERE seats > (1" in message


def test_deep_nesting_fails_with_message(connection):
    sql = "SELECT " + "(" * 200 + "1" + ")" * 200 + " AS x"
    with pytest.raises(SqlFailed) as raised:
        to_duckdb(sql, "postgres", connection)
    assert "nests parentheses too deeply" in str(raised.value)
    assert "PostgreSQL" in str(raised.value)


def test_untyped_division_noted(connection):
    sql = "SELECT hash(merchant_id) / 2 AS half FROM merchants"
    notes = transpile(sql, "postgres", connection).notes
    assert len(notes) == 1
    assert "PostgreSQL truncates integer / integer" in notes[0]


def test_typed_division_not_noted(connection):
    assert (
        transpile("SELECT seats / 2 FROM merchants", "postgres", connection).notes == []
    )


def test_mysql_differences_noted(connection):
    sql = "SELECT seats / 3 AS s FROM merchants\nWHERE segment = 'SMB'"
    notes = transpile(sql, "mysql", connection).notes
    assert notes[0].startswith("Dialect difference at line 1, column 14 (/ operator)")
    assert notes[1].startswith(
        "Dialect difference at line 2, column 15 (a comparison with a text literal)"
    )
    assert "compares text case-insensitively" in notes[1]


@pytest.mark.parametrize("name", ["oracle", "", "postgre", 5, ["postgres"]])
def test_unknown_dialect_raises_with_list(name):
    with pytest.raises(UnknownDialect) as raised:
        resolve_dialect(name)
    assert str(raised.value) == (
        f"unknown SQL dialect {name!r}: use one of duckdb, postgres, mysql, "
        "snowflake, bigquery, redshift"
    )


@pytest.mark.parametrize(
    "name,expected",
    [("PostgreSQL", "postgres"), (" Snowflake ", "snowflake"), ("DuckDB", None)],
)
def test_dialect_names_normalised(name, expected):
    assert resolve_dialect(name) == expected
