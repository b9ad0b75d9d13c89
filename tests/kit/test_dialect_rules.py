"""dialect_rules.yaml: every construct a dialect lacks is rejected with its place."""

import pytest

from kit import db
from kit.dialect_rules import RULES_PATH, find_matches, load_rules
from kit.dialects import display_name, to_duckdb
from kit.errors import KitError
from kit.run_sql import SqlFailed

# A minimal query per rule that uses the construct at line 2, column 8.
EXAMPLES = {
    "backtick_identifier": "SELECT\n       `seats` FROM merchants",
    "date_sub_function": "SELECT\n       DATE_SUB(as_of_date(), INTERVAL 30 DAY)",
    "dateadd_function": "SELECT\n       DATEADD(day, -30, as_of_date())",
    "datediff_function": "SELECT\n"
    "       DATEDIFF(as_of_date(), signup_date) FROM merchants",
    "datediff_with_date_part": "SELECT\n"
    "       DATEDIFF(day, signup_date, as_of_date()) FROM merchants",
    "datediff_without_date_part": "SELECT\n"
    "       DATEDIFF(as_of_date(), signup_date) FROM merchants",
    "date_diff_function": "SELECT\n"
    "       DATE_DIFF(as_of_date(), signup_date, DAY) FROM merchants",
    "date_trunc_function": "SELECT\n"
    "       DATE_TRUNC('month', signup_date) FROM merchants",
    "date_trunc_unit_first": "SELECT\n"
    "       DATE_TRUNC('month', signup_date) FROM merchants",
    "qualify_clause": "SELECT seats FROM merchants\n"
    "       QUALIFY RANK() OVER (ORDER BY seats) = 1",
    "aggregate_filter": "SELECT COUNT(*)\n"
    "       FILTER (WHERE seats > 3) FROM merchants",
    "double_colon_cast": "SELECT seats\n       ::DECIMAL FROM merchants",
    "ilike_operator": "SELECT 1 FROM merchants WHERE\n       segment ILIKE 'smb'",
    "nulls_first_last": "SELECT seats FROM merchants ORDER BY seats\n       NULLS LAST",
    "pipes_concat": "SELECT segment\n       || region FROM merchants",
    "interval_string_unit": "SELECT as_of_date() -\n       INTERVAL '30 days'",
    "date_minus_number": "SELECT\n       as_of_date() - 30",
    "ifnull_function": "SELECT\n       IFNULL(seats, 0) FROM merchants",
    "nvl_function": "SELECT\n       NVL(seats, 0) FROM merchants",
}

# Columns of constructs that do not start at column 8 of their example.
COLUMNS = {"ilike_operator": 16}

LACKS = [
    (rule, dialect) for rule in load_rules().lacks for dialect in sorted(rule.advice)
]


@pytest.fixture(scope="module")
def connection(make_dataset):
    con = db.open_read_only(make_dataset(seed=42, merchants=300))
    yield con
    con.close()


def test_every_rule_has_an_example():
    assert {rule.id for rule in load_rules().lacks} == set(EXAMPLES)


@pytest.mark.parametrize(
    "rule,dialect", LACKS, ids=[f"{rule.id}-{dialect}" for rule, dialect in LACKS]
)
def test_lacking_construct_rejected(connection, rule, dialect):
    with pytest.raises(SqlFailed) as raised:
        to_duckdb(EXAMPLES[rule.id], dialect, connection)
    column = COLUMNS.get(rule.id, 8)
    message = str(raised.value).splitlines()
    assert message == [
        f"{display_name(dialect)} has no {rule.construct} (line 2, column {column}): "
        f"{rule.advice[dialect].strip()}"
    ]


@pytest.mark.parametrize(
    "rule_id,dialect",
    [
        ("backtick_identifier", "mysql"),
        ("backtick_identifier", "bigquery"),
        ("date_sub_function", "bigquery"),
        ("dateadd_function", "snowflake"),
        ("qualify_clause", "snowflake"),
        ("aggregate_filter", "postgres"),
        ("nulls_first_last", "postgres"),
        ("date_minus_number", "postgres"),
    ],
)
def test_construct_runs_where_dialect_has_it(connection, rule_id, dialect):
    connection.sql(to_duckdb(EXAMPLES[rule_id], dialect, connection)).fetchall()


def test_several_constructs_listed_in_text_order(connection):
    sql = (
        "SELECT `seats`\nFROM merchants QUALIFY DATE_SUB(as_of_date(), INTERVAL 1 DAY)"
    )
    with pytest.raises(SqlFailed) as raised:
        to_duckdb(sql, "postgres", connection)
    places = [
        line.split("(line ")[1].split(")")[0] for line in str(raised.value).splitlines()
    ]
    assert places == ["1, column 8", "2, column 16", "2, column 24"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'a `quoted` text' AS t",
        "SELECT 1 AS t -- QUALIFY in a comment",
        "SELECT 1 AS t /* DATE_SUB(x, INTERVAL 1 DAY) */",
        'SELECT 1 AS "qualify"',
    ],
)
def test_quoted_and_commented_text_ignored(sql):
    assert find_matches(sql, load_rules().lacks, "postgres") == []


@pytest.mark.parametrize("dialect", ["mysql", "bigquery"])
def test_hash_comment_ignored(dialect):
    sql = "# no QUALIFY or NVL( here\nSELECT 1 AS t"
    assert find_matches(sql, load_rules().lacks, dialect) == []


def test_apostrophe_in_hash_comment():
    sql = "# it's MySQL\nSELECT 1 AS t\nQUALIFY 1 = 1"
    found = find_matches(sql, load_rules().lacks, "mysql")
    assert [(m.rule.id, m.line, m.column) for m in found] == [("qualify_clause", 3, 1)]


def test_backticked_name_ignored_in_mysql():
    sql = "SELECT 1 AS `qualify`"
    assert find_matches(sql, load_rules().lacks, "mysql") == []


def test_hash_is_no_comment_in_postgres():
    found = find_matches("SELECT 1 # QUALIFY", load_rules().lacks, "postgres")
    assert [m.rule.id for m in found] == ["qualify_clause"]


def write_rules(tmp_path, text):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


VALID_ENTRY = """
  - id: a
    construct: A
    pattern: 'a'
    dialects: {postgres: write b.}
"""


@pytest.mark.parametrize(
    "text,message",
    [
        ("lacks: []\n", "exactly the sections lacks, differences"),
        ("lacks:\n" + VALID_ENTRY + VALID_ENTRY + "differences: []\n", "unique"),
        (
            "lacks:\n" + VALID_ENTRY.replace("'a'", "'(a'") + "differences: []\n",
            "`pattern` is not a regular expression",
        ),
        (
            "lacks:\n"
            + VALID_ENTRY.replace("postgres", "oracle")
            + "differences: []\n",
            "unknown dialect 'oracle'",
        ),
        (
            "lacks:\n"
            + VALID_ENTRY.replace("    construct: A\n", "")
            + "differences: []\n",
            "missing fields ['construct']",
        ),
        (
            "lacks:\n" + VALID_ENTRY.replace("write b.", "''") + "differences: []\n",
            "the line for postgres must be non-empty text",
        ),
        ("lacks: [\n", "cannot read the dialect rules"),
    ],
)
def test_invalid_rules_rejected(tmp_path, text, message):
    with pytest.raises(KitError) as raised:
        load_rules(write_rules(tmp_path, text))
    assert message in str(raised.value)


def test_shipped_rules_load():
    rules = load_rules(RULES_PATH)
    assert rules.lacks
    assert rules.differences
