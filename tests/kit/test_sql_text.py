"""Comment stripping keeps strings and quoted names intact."""

import pytest

from kit.sql_text import has_statement, strip_comments


def test_line_and_block_comments_removed():
    sql = "SELECT 1 -- one\n/* two\nlines */ FROM t"
    assert strip_comments(sql) == "SELECT 1 \n  FROM t"


def test_comment_markers_in_strings_kept():
    sql = "SELECT '--not', \"/*x*/\", $$-- kept$$, 'it''s -- fine' -- gone"
    assert strip_comments(sql) == (
        "SELECT '--not', \"/*x*/\", $$-- kept$$, 'it''s -- fine' "
    )


def test_unterminated_comment_runs_to_end():
    assert strip_comments("SELECT 1 /* open") == "SELECT 1  "


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 'open -- still text", "SELECT 'open -- still text"),
        ('SELECT "a""b" -- x', 'SELECT "a""b" '),
        ("SELECT $$open -- text", "SELECT $$open -- text"),
        ("SELECT 1 -- last line", "SELECT 1 "),
        ("SELECT '' -- empty string", "SELECT '' "),
    ],
)
def test_quotes_and_line_ends(sql, expected):
    assert strip_comments(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("", False),
        ("  ;\n ; ", False),
        ("-- Write your query here.\n", False),
        ("/* a */ -- b", False),
        ("SELECT 1", True),
        ("'-- not a comment'", True),
    ],
)
def test_has_statement(sql, expected):
    assert has_statement(sql) is expected
