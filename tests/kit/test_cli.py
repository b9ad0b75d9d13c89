"""`python -m kit` verbs run as a user runs them: real subprocesses and exit codes."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kit_project import TOP_ARR_SQL, project_environment

NOTEBOOKS = Path(__file__).parent / "notebooks"


def kit(project, *args, env=None, timeout=120):
    environment = {**os.environ, **project_environment(project), **(env or {})}
    environment.pop("KIT_STRICT", None)
    environment.pop("KIT_RESULTS", None)
    return subprocess.run(
        [sys.executable, "-m", "kit", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=project,
        timeout=timeout,
    )


def write_sql(project, text, name="answer.sql"):
    path = project / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_usage_error(result, message):
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_check_answer_correct_exits_0(project):
    result = kit(
        project, "check-answer", "q2.top_arr", "--sql", write_sql(project, TOP_ARR_SQL)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Correct: q2.top_arr matches the reference.\n"


def test_check_answer_incorrect_exits_1(project):
    wrong = TOP_ARR_SQL.replace("COUNT(DISTINCT session_id)", "COUNT(*)")
    result = kit(
        project, "check-answer", "q2.top_arr", "--sql", write_sql(project, wrong)
    )
    assert result.returncode == 1
    assert result.stdout.startswith("Incorrect: q2.top_arr")
    assert "Likely mistake: Count DISTINCT session_id" in result.stdout


def test_check_answer_failed_sql_exits_1(project):
    result = kit(
        project, "check-answer", "q2.top_arr", "--sql", write_sql(project, "SELEC 1")
    )
    assert result.returncode == 1
    assert "Could not check q2.top_arr: the SQL failed." in result.stdout
    assert "LINE 1: SELEC 1" in result.stdout


def test_check_answer_empty_file_exits_1(project):
    result = kit(project, "check-answer", "q2.top_arr", "--sql", write_sql(project, ""))
    assert result.returncode == 1
    assert result.stdout.startswith("Not attempted: q2.top_arr")


def test_check_answer_number_exercise_takes_sql(project):
    sql = (
        "SELECT SUM(arr_value) FROM merchant_contracts WHERE contract_status = 'active'"
    )
    result = kit(
        project, "check-answer", "q3.active_arr", "--sql", write_sql(project, sql)
    )
    assert result.returncode == 0, result.stdout


def test_check_answer_unknown_exercise_exits_2(project):
    result = kit(
        project, "check-answer", "q2.top_ar", "--sql", write_sql(project, "SELECT 1")
    )
    assert_usage_error(result, "did you mean q2.top_arr?")


def test_check_answer_unknown_dialect_exits_2(project):
    sql = write_sql(project, TOP_ARR_SQL)
    result = kit(
        project, "check-answer", "q2.top_arr", "--sql", sql, "--dialect", "oracle"
    )
    assert_usage_error(
        result,
        "unknown SQL dialect 'oracle': use one of duckdb, postgres, mysql, "
        "snowflake, bigquery, redshift",
    )


def test_check_answer_dialect_transpiles(project):
    sql = write_sql(project, TOP_ARR_SQL)
    postgres = kit(
        project, "check-answer", "q2.top_arr", "--sql", sql, "--dialect", "postgres"
    )
    assert postgres.returncode == 0, postgres.stdout
    mysql = kit(
        project, "check-answer", "q2.top_arr", "--sql", sql, "--dialect", "mysql"
    )
    assert mysql.returncode == 1, mysql.stdout
    assert "MySQL has no date arithmetic with a plain number" in mysql.stdout


def test_check_answer_kind_without_sql_exits_2(project):
    result = kit(
        project, "check-answer", "q4.audience", "--sql", write_sql(project, "SELECT 1")
    )
    assert_usage_error(result, "exercise q4.audience takes a choice answer, not SQL")


def test_check_answer_missing_file_exits_2(project):
    result = kit(project, "check-answer", "q2.top_arr", "--sql", "absent.sql")
    assert_usage_error(result, "SQL file absent.sql does not exist")


def test_check_answer_unreadable_file_exits_2(project):
    path = project / "binary.sql"
    path.write_bytes(b"\xff\xfe\x00")
    result = kit(project, "check-answer", "q2.top_arr", "--sql", path)
    assert_usage_error(result, "cannot read SQL file")


def test_check_answer_missing_database_exits_2(project):
    sql = write_sql(project, TOP_ARR_SQL)
    result = kit(
        project, "check-answer", "q2.top_arr", "--sql", sql, "--db", "absent.duckdb"
    )
    assert_usage_error(result, "absent.duckdb does not exist")


def test_check_answer_invalid_database_exits_2(project):
    sql = write_sql(project, TOP_ARR_SQL)
    not_duckdb = write_sql(project, "not a database", "fake.duckdb")
    result = kit(
        project, "check-answer", "q2.top_arr", "--sql", sql, "--db", not_duckdb
    )
    assert_usage_error(result, "cannot open dataset")


def test_check_answer_locked_database_exits_2(project, tmp_path):
    locked = tmp_path / "locked.duckdb"
    shutil.copyfile(project / "data" / "merchants.duckdb", locked)
    script = (
        "import duckdb, time\n"
        f"con = duckdb.connect({str(locked)!r})\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert writer.stdout.readline().strip() == b"ready"
        sql = write_sql(project, TOP_ARR_SQL)
        result = kit(
            project, "check-answer", "q2.top_arr", "--sql", sql, "--db", locked
        )
    finally:
        writer.kill()
        writer.wait()
    assert_usage_error(result, "is locked by another process that is writing it")


def test_invalid_registry_exits_2(project):
    registry = project / "exercises.yaml"
    registry.write_text(
        registry.read_text().replace("audience: csm", "audience: sales", 1)
    )
    result = kit(project, "list")
    assert_usage_error(
        result, "exercise q2.top_arr: field `audience` 'sales' is invalid"
    )


def test_list_shows_status(project):
    kit(project, "check-answer", "q2.top_arr", "--sql", write_sql(project, TOP_ARR_SQL))
    progress = project / "progress.json"
    progress.write_text(
        json.dumps(
            {
                "version": 1,
                "exercises": {"q4.audience": {"verdict": "incorrect", "attempts": 2}},
            }
        )
    )
    result = kit(project, "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "NOTEBOOK", "TYPE", "AUDIENCE", "STATUS"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert rows["q2.top_arr"].split()[1:4] == ["check-pass", "sql", "csm"]
    assert rows["q2.top_arr"].endswith("not started")
    assert rows["q4.audience"].endswith("incorrect (2 checks)")
    assert len(rows) == 6


def test_unknown_verb_is_usage_error(project):
    result = kit(project, "regrade")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_reset_keeps_backup(project):
    shutil.copyfile(
        NOTEBOOKS / "check-fail.ipynb", project / "notebooks" / "check-fail.ipynb"
    )
    workspace = project / "workspace"
    (workspace / "check-fail.ipynb").write_text("my answers", encoding="utf-8")
    result = kit(project, "reset", "check-fail")
    assert result.returncode == 0, result.stderr
    backups = sorted(workspace.glob("check-fail.*.ipynb"))
    assert len(backups) == 1
    assert backups[0].read_text() == "my answers"
    fresh = (workspace / "check-fail.ipynb").read_text()
    assert fresh == (project / "notebooks" / "check-fail.ipynb").read_text()
    assert f"Saved your copy as {backups[0].name}." in result.stdout


def test_reset_never_overwrites_backup(project):
    shutil.copyfile(
        NOTEBOOKS / "check-fail.ipynb", project / "notebooks" / "check-fail.ipynb"
    )
    workspace = project / "workspace"
    for number, name in enumerate(
        [
            "check-fail.ipynb",
            "workspace/check-fail.ipynb",
            str(workspace / "check-fail.ipynb"),
        ]
    ):
        (workspace / "check-fail.ipynb").write_text(
            f"attempt {number}", encoding="utf-8"
        )
        assert kit(project, "reset", name).returncode == 0
    kept = sorted(p.read_text() for p in workspace.glob("check-fail.*.ipynb"))
    assert kept == ["attempt 0", "attempt 1", "attempt 2"]


def test_reset_unknown_notebook_exits_2(project):
    result = kit(project, "reset", "99_nothing")
    assert_usage_error(result, "no notebook template '99_nothing' in notebooks/")


@pytest.mark.slow
def test_self_check_passing_notebook_exits_0(project):
    result = kit(project, "check", str(NOTEBOOKS / "check-pass.ipynb"))
    assert result.returncode == 0, result.stdout + result.stderr
    table = result.stdout[result.stdout.index("EXERCISE") :].splitlines()
    assert table[2].split() == ["q2.top_arr", "correct"]
    assert table[3].split() == ["q2.retail_segments", "correct"]
    assert "All checks passed." in result.stdout


@pytest.mark.slow
def test_self_check_failing_notebook_exits_1(project):
    result = kit(project, "check", str(NOTEBOOKS / "check-fail.ipynb"))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "check-fail.ipynb::Cell 3" in result.stdout
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert "CheckFailed: Incorrect: q4.audience" in plain
    table = result.stdout[result.stdout.index("EXERCISE") :].splitlines()
    verdicts = {
        line.split()[0]: " ".join(line.split()[1:]) for line in table[2:-2] if line
    }
    assert verdicts == {
        "q5.low_activity": "correct",
        "q1.metric_owners": "not run",
        "q3.active_arr": "not attempted",
        "q4.audience": "incorrect",
    }
    assert "Some checks did not pass." in result.stdout


@pytest.mark.slow
def test_self_check_defaults_to_workspace(project):
    workspace = project / "workspace"
    shutil.copyfile(NOTEBOOKS / "check-pass.ipynb", workspace / "check-pass.ipynb")
    shutil.copyfile(
        NOTEBOOKS / "check-fail.ipynb", workspace / "check-pass.20260101-120000.ipynb"
    )
    result = kit(project, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "20260101" not in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("name", ["check-pass", "check-pass.ipynb"])
def test_self_check_finds_workspace_notebook_by_name(project, name):
    workspace = project / "workspace"
    shutil.copyfile(NOTEBOOKS / "check-pass.ipynb", workspace / "check-pass.ipynb")
    result = kit(project, "check", name)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed." in result.stdout


def test_self_check_rejects_non_notebook(project):
    result = kit(project, "check", str(write_sql(project, "SELECT 1")))
    assert_usage_error(result, "is not a .ipynb notebook")


def test_self_check_rejects_missing_notebook(project):
    result = kit(project, "check", "absent.ipynb")
    assert_usage_error(result, "notebook absent.ipynb does not exist")


def test_self_check_empty_workspace_exits_2(project):
    result = kit(project, "check")
    assert_usage_error(result, "no notebooks in")


def test_list_into_closed_pipe_is_quiet(project):
    environment = {**os.environ, **project_environment(project)}
    # A reader that takes nothing and exits, as `kit list | head -0` would.
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        cwd=project,
    )
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=120)
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
    assert process.returncode == 1
