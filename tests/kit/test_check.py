"""check() on the fixture dataset: the four verdicts, strict mode, results file."""

import json

import duckdb
import pandas as pd
import pytest
from kit_project import TOP_ARR_SQL

import kit
from kit import check, connect
from kit.errors import CheckFailed
from kit.verdict import Outcome


def run(exercise_id, answer, capsys, **options):
    verdict = check(exercise_id, answer, **options)
    printed = capsys.readouterr().out
    return verdict, printed


def test_reference_sql_is_correct(project, capsys):
    verdict, printed = run("q2.top_arr", TOP_ARR_SQL, capsys)
    assert verdict.outcome is Outcome.CORRECT
    assert printed == "Correct: q2.top_arr matches the reference.\n"
    assert verdict.correct
    assert bool(verdict)


def test_verdict_repr_is_short(project, capsys):
    verdict, _ = run("q2.top_arr", TOP_ARR_SQL, capsys)
    assert repr(verdict) == "<Verdict q2.top_arr: correct>"


def test_dataframe_answer_checked(project, capsys):
    frame = connect().sql(TOP_ARR_SQL).df()
    verdict, _ = run(
        "q2.top_arr", frame.rename(columns=str.upper).iloc[:, ::-1], capsys
    )
    assert verdict.correct


def test_relation_answer_checked(project, capsys):
    verdict, _ = run("q2.top_arr", connect().sql(TOP_ARR_SQL), capsys)
    assert verdict.correct


def test_wrong_sql_incorrect_with_mistake(project, capsys):
    wrong = TOP_ARR_SQL.replace("COUNT(DISTINCT session_id)", "COUNT(*)")
    verdict, printed = run("q2.top_arr", wrong, capsys)
    assert verdict.outcome is Outcome.INCORRECT
    assert (
        printed.splitlines()[0]
        == "Incorrect: q2.top_arr does not match the reference yet."
    )
    assert "  merchant_id 2: sessions_last_30d expected 8, got 9" in printed
    assert verdict.mistakes == ["counted_redelivered_sessions"]
    assert "Likely mistake: Count DISTINCT session_id" in printed


def test_grouping_mistake_recognised(project, capsys):
    wrong = TOP_ARR_SQL.replace(
        "GROUP BY merchant_id\n)", "GROUP BY merchant_id, contract_id\n)", 1
    )
    verdict, printed = run("q2.top_arr", wrong, capsys)
    assert verdict.mistakes == ["grouped_by_renewal_date"]
    assert "1 key appears more than once: merchant_id 1 (2 rows)" in printed


def test_sql_mistake_condition_reads_sql_text(project, capsys):
    wrong = TOP_ARR_SQL.replace("WHERE contract_status = 'active'", "")
    verdict, _ = run("q2.top_arr", wrong, capsys)
    assert verdict.mistakes == ["included_cancelled"]


def test_order_checked_on_sort_key(project, capsys):
    wrong = TOP_ARR_SQL.replace("ORDER BY total_arr DESC", "ORDER BY total_arr")
    verdict, printed = run("q2.top_arr", wrong, capsys)
    assert verdict.outcome is Outcome.INCORRECT
    assert "Rows are out of order at row 2" in printed


def test_division_by_zero_from_sql(project, capsys):
    wrong = TOP_ARR_SQL.replace("NULLIF(p.sessions, 0)", "COALESCE(p.sessions, 0)")
    wrong = wrong.replace("- p.sessions)", "- COALESCE(p.sessions, 0))")
    verdict, printed = run("q2.top_arr", wrong, capsys)
    assert verdict.outcome is Outcome.INCORRECT
    assert (
        "session_change_pct holds NaN or infinity in 1 row: a division by zero"
        in printed
    )


def test_nan_from_sql_is_not_null(project, capsys):
    wrong = TOP_ARR_SQL.replace(
        "ROUND((COALESCE(r.sessions, 0) - p.sessions) * 100.0\n"
        "          / NULLIF(p.sessions, 0), 2)",
        "CASE WHEN p.sessions IS NULL THEN 0.0 / 0.0\n"
        "ELSE ROUND((r.sessions - p.sessions) * 100.0 / p.sessions, 2) END",
    )
    assert wrong != TOP_ARR_SQL
    verdict, printed = run("q2.top_arr", wrong, capsys)
    assert verdict.outcome is Outcome.INCORRECT
    assert "a division by zero" in printed


def test_failed_sql_shows_error_line(project, capsys):
    sql = (
        "SELECT merchant_id\nFROM merchants\n"
        "WHERE RANK() OVER (ORDER BY merchant_id) < 3"
    )
    verdict, printed = run("q2.top_arr", sql, capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    lines = printed.splitlines()
    assert lines[0] == "Could not check q2.top_arr: the SQL failed."
    assert lines[1] == "  Binder Error: WHERE clause cannot contain window functions!"
    assert lines[2] == "  LINE 3: WHERE RANK() OVER (ORDER BY merchant_id) < 3"
    assert lines[3].strip().startswith("^^^")
    assert verdict.mistakes == ["window_in_where"]


def test_syntax_error_uncheckable(project, capsys):
    verdict, printed = run("q2.top_arr", "SELEC merchant_id FROM merchants", capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert "Parser Error" in printed
    assert "LINE 1:" in printed


def test_drop_table_cannot_touch_references(project, capsys):
    verdict, printed = run("q2.top_arr", "DROP TABLE merchant_contracts", capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert "DROP statement" in printed
    with pytest.raises(duckdb.Error, match="read-only"):
        connect().sql("DROP TABLE merchant_contracts")
    assert run("q2.top_arr", TOP_ARR_SQL, capsys)[0].correct


@pytest.mark.parametrize(
    "answer,message",
    [
        ("CREATE TEMP TABLE t AS SELECT 1", "CREATE statement"),
        ("SET memory_limit = '1MB'", "SET statement"),
        ("SET threads = 1; " + TOP_ARR_SQL, "contains 2 SQL statements"),
    ],
)
def test_only_one_query_is_run(project, capsys, answer, message):
    verdict, printed = run("q2.top_arr", answer, capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert message in printed
    assert run("q2.top_arr", TOP_ARR_SQL, capsys)[0].correct


def test_failed_sql_names_no_pattern_mistake(project, capsys):
    # Without a status filter the text matches the included_cancelled pattern,
    # but the query never ran, so that pattern must not be reported.
    wrong = TOP_ARR_SQL.replace("WHERE contract_status = 'active'", "").replace(
        "SELECT", "SELEC", 1
    )
    verdict, printed = run("q2.top_arr", wrong, capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert verdict.mistakes == []
    assert "Parser Error" in printed


def test_temporary_table_does_not_leak_between_checks(project, capsys):
    sql = (
        "CREATE TEMP TABLE merchant_contracts AS SELECT 1 AS x; "
        "SELECT * FROM merchant_contracts"
    )
    run("q2.top_arr", sql, capsys)
    assert run("q2.top_arr", TOP_ARR_SQL, capsys)[0].correct


@pytest.mark.parametrize(
    "answer",
    [
        None,
        ...,
        "",
        "   \n",
        "-- Write your query here.\n",
        "/* later */ ;",
        '"""\n"""'[3:-3],
    ],
)
def test_placeholders_not_attempted(project, capsys, answer):
    verdict, printed = run("q2.top_arr", answer, capsys)
    assert verdict.outcome is Outcome.NOT_ATTEMPTED
    assert printed.startswith("Not attempted: q2.top_arr has no answer yet.")


def test_blank_mapping_not_attempted(project, capsys):
    verdict, _ = run("q1.metric_owners", {"nps": "", "arr": ""}, capsys)
    assert verdict.outcome is Outcome.NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("exercise_id", "answer", "expected"),
    [
        (
            "q2.top_arr",
            [1, 2],
            "the answer is a list, but this exercise expects a DataFrame or SQL text.",
        ),
        (
            "q1.metric_owners",
            "csm",
            "the answer is a str, but this exercise expects a dict.",
        ),
        (
            "q3.active_arr",
            [1],
            "the answer is a list, but this exercise expects a number",
        ),
        ("q4.audience", 3, "expects one of am, csm as text."),
        (
            "q5.low_activity",
            17,
            "the answer is an int, but this exercise expects a list or set",
        ),
    ],
)
def test_wrong_type_names_expected_kind(project, capsys, exercise_id, answer, expected):
    verdict, printed = run(exercise_id, answer, capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert expected in printed


def test_choice_outside_choices_uncheckable(project, capsys):
    verdict, printed = run("q4.audience", "sales", capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert (
        printed
        == "Could not check q4.audience: 'sales' is not one of the choices am, csm.\n"
    )


def test_value_kinds_checked(project, capsys):
    assert run("q4.audience", "CSM", capsys)[0].correct
    assert run(
        "q1.metric_owners",
        {"NPS": "csm", "arr": "AM", "login_frequency": "csm"},
        capsys,
    )[0].correct
    assert run("q3.active_arr", 24100, capsys)[0].correct
    assert run("q5.low_activity", {4, 1}, capsys)[0].correct


def test_number_and_ids_accept_sql(project, capsys):
    total = (
        "SELECT SUM(arr_value) FROM merchant_contracts WHERE contract_status = 'active'"
    )
    assert run("q3.active_arr", total, capsys)[0].correct
    assert run("q5.low_activity", "SELECT 1 UNION SELECT 4", capsys)[0].correct
    verdict, printed = run("q3.active_arr", "SELECT 1 / 0", capsys)
    assert verdict.outcome is Outcome.INCORRECT
    assert "a division by zero" in printed
    verdict, printed = run("q3.active_arr", "SELECT 1, 2", capsys)
    assert "table of 1 rows and 2 columns; return one value" in printed


def test_unknown_exercise_suggests_close_match(project, capsys):
    verdict, printed = run("q2.top_ar", TOP_ARR_SQL, capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert printed == (
        "Could not check q2.top_ar: no exercise 'q2.top_ar' in exercises.yaml: "
        "did you mean q2.top_arr?\n"
    )


def test_unknown_dialect_uncheckable_with_list(project, capsys):
    verdict, printed = run("q2.top_arr", TOP_ARR_SQL, capsys, dialect="oracle")
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert printed == (
        "Could not check q2.top_arr: unknown SQL dialect 'oracle': use one of "
        "duckdb, postgres, mysql, snowflake, bigquery, redshift.\n"
    )
    assert "Traceback" not in printed


def test_dialect_names_ignore_case(project, capsys):
    assert run("q2.top_arr", TOP_ARR_SQL, capsys, dialect="duckdb")[0].correct
    assert run("q2.top_arr", TOP_ARR_SQL, capsys, dialect="DuckDB")[0].correct
    assert run("q2.top_arr", TOP_ARR_SQL, capsys, dialect="PostgreSQL")[0].correct


def test_postgres_answer_transpiled(project, capsys):
    verdict, printed = run("q2.top_arr", TOP_ARR_SQL, capsys, dialect="postgres")
    assert verdict.correct, printed


def test_use_dialect_sets_default(project, capsys, monkeypatch):
    monkeypatch.setattr("kit.dialects._default", None)
    kit.use_dialect("mysql")
    assert "as MySQL SQL" in capsys.readouterr().out
    # TOP_ARR_SQL subtracts a plain number from a date, which MySQL lacks.
    verdict, printed = run("q2.top_arr", TOP_ARR_SQL, capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert (
        "MySQL has no date arithmetic with a plain number (line 11, column 27)"
        in printed
    )


def test_explicit_dialect_beats_default(project, capsys, monkeypatch):
    monkeypatch.setattr("kit.dialects._default", None)
    kit.use_dialect("mysql")
    assert run("q2.top_arr", TOP_ARR_SQL, capsys, dialect="duckdb")[0].correct
    assert run("q2.top_arr", TOP_ARR_SQL, capsys, dialect="postgres")[0].correct


def test_use_dialect_resets(project, capsys, monkeypatch):
    monkeypatch.setattr("kit.dialects._default", None)
    for reset in (None, "duckdb", "DUCKDB"):
        kit.use_dialect("mysql")
        kit.use_dialect(reset)
        assert "as DuckDB SQL" in capsys.readouterr().out
        assert run("q2.top_arr", TOP_ARR_SQL, capsys)[0].correct


def test_use_dialect_unknown_keeps_default(project, capsys, monkeypatch):
    monkeypatch.setattr("kit.dialects._default", None)
    kit.use_dialect("snowflake")
    capsys.readouterr()
    kit.use_dialect("tsql")
    printed = capsys.readouterr().out
    assert printed == (
        "No dialect change: unknown SQL dialect 'tsql': use one of duckdb, "
        "postgres, mysql, snowflake, bigquery, redshift. Still checking "
        "Snowflake SQL.\n"
    )
    assert kit.dialects.default_dialect() == "snowflake"


def test_kit_failure_reported_not_raised(project, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("kit.checking.compare_frames", broken)
    verdict, printed = run("q2.top_arr", TOP_ARR_SQL, capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert "the kit failed while checking this answer (RuntimeError: boom)" in printed


def test_answer_with_unhashable_cells_does_not_crash(project, capsys):
    frame = pd.DataFrame({"merchant_id": [[1], [2]], "total_arr": [{"a": 1}, None]})
    verdict, _ = run("q2.top_arr", frame, capsys)
    assert verdict.outcome in (Outcome.INCORRECT, Outcome.UNCHECKABLE)


def test_failing_reference_uncheckable(project, capsys):
    (project / "solutions" / "q2" / "top_arr.sql").write_text("SELECT * FROM nowhere")
    verdict, printed = run("q2.top_arr", TOP_ARR_SQL, capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert "the reference solution q2/top_arr.sql failed on this dataset" in printed


def test_missing_dataset_uncheckable(project, capsys, monkeypatch):
    monkeypatch.setenv("KIT_DB", str(project / "absent.duckdb"))
    verdict, printed = run("q2.top_arr", TOP_ARR_SQL, capsys)
    assert verdict.outcome is Outcome.UNCHECKABLE
    assert "absent.duckdb does not exist" in printed


def test_strict_mode_raises_on_all_but_correct(project, capsys, monkeypatch):
    monkeypatch.setenv("KIT_STRICT", "1")
    assert run("q2.top_arr", TOP_ARR_SQL, capsys)[0].correct
    for answer in (None, "SELECT 1", "SELEC"):
        with pytest.raises(CheckFailed) as raised:
            check("q2.top_arr", answer)
        assert str(raised.value) == raised.value.verdict.text()
        assert not raised.value.verdict.correct
    with pytest.raises(CheckFailed):
        check("q9.unknown", None)


def test_strict_failure_is_a_kit_error(project, monkeypatch):
    monkeypatch.setenv("KIT_STRICT", "1")
    with pytest.raises(kit.KitError):
        check("q2.top_arr", "SELECT 1")


def test_results_file_receives_each_verdict(project, capsys, monkeypatch, tmp_path):
    results = tmp_path / "results.jsonl"
    monkeypatch.setenv("KIT_RESULTS", str(results))
    run("q2.top_arr", TOP_ARR_SQL, capsys)
    run("q4.audience", None, capsys)
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert [(line["exercise"], line["verdict"]) for line in lines] == [
        ("q2.top_arr", "correct"),
        ("q4.audience", "not attempted"),
    ]


def test_check_records_progress(project, capsys):
    run("q2.top_arr", "SELECT 1", capsys)
    run("q2.top_arr", TOP_ARR_SQL, capsys)
    run("q2.top_ar", TOP_ARR_SQL, capsys)
    record = json.loads((project / "progress.json").read_text())
    entry = record["exercises"]["q2.top_arr"]
    assert entry["attempts"] == 2
    assert entry["verdict"] == "correct"
    assert entry["first_correct_at"]
    assert "q2.top_ar" not in record["exercises"]


def test_grading_records_dialect(project, capsys, monkeypatch):
    monkeypatch.setattr("kit.dialects._default", None)
    monkeypatch.setattr("kit.dialects._checked", None)
    kit.use_dialect("snowflake")
    monkeypatch.setenv("KIT_GRADING", "1")
    run("q2.top_arr", TOP_ARR_SQL, capsys, dialect="mysql")
    assert kit.dialects.take_checked_dialect() == "mysql"
    assert kit.dialects.take_checked_dialect() == "snowflake"
    run("q2.top_arr", TOP_ARR_SQL, capsys)
    assert kit.dialects.take_checked_dialect() == "snowflake"
