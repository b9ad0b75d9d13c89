"""The %%sql cell magic in a real kernel, as a candidate's notebook runs it."""

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from test_notebooks import kit_env

ARR_BY_SEGMENT = """\
SELECT m.segment, SUM(c.arr_value) AS total_arr,
       COUNT(DISTINCT c.merchant_id) AS merchants
FROM merchant_contracts c
JOIN merchants m USING (merchant_id)
WHERE c.contract_status = 'active'
GROUP BY m.segment"""
# The same query without the status filter: cancelled and expired ARR counts.
ARR_WITH_ALL_CONTRACTS = ARR_BY_SEGMENT.replace(
    "WHERE c.contract_status = 'active'\n", ""
)
WINDOW_IN_WHERE = """\
SELECT merchant_id, RANK() OVER (ORDER BY arr_value DESC) AS arr_rank
FROM merchant_contracts
WHERE RANK() OVER (ORDER BY arr_value DESC) <= 100"""

CELLS = {
    "import": "from kit import check",
    "show": "%%sql\nSELECT merchant_id, segment FROM merchants ORDER BY merchant_id",
    "short": "%%sql\nSELECT 7 AS lucky",
    "store": f"%%sql -o answer\n{ARR_BY_SEGMENT}",
    "stored_type": "print(type(answer).__name__, len(answer.df), answer.strip() == '''"
    + ARR_BY_SEGMENT
    + "''')",
    "check_stored": 'check("q0.arr_by_segment", answer)',
    "store_wrong": f"%%sql -o wrong\n{ARR_WITH_ALL_CONTRACTS}",
    "check_wrong": 'check("q0.arr_by_segment", wrong)',
    "fail": f"%%sql -o broken\n{WINDOW_IN_WHERE}",
    "check_failed": 'check("q2.top100_cte", broken)',
    "bad_name": "%%sql -o 2nd\nSELECT 1",
    "alive": "print('still running', 6 * 7)",
    "pg_division": "%%sql -d postgres\nSELECT 7 / 2 AS half",
    "store_mysql": "%%sql -d mysql -o in_mysql\n"
    + ARR_BY_SEGMENT.replace("m.segment", "m.`segment`"),
    "check_mysql": 'check("q0.arr_by_segment", in_mysql)',
    "bad_dialect": "%%sql -d oracle\nSELECT 1",
    "wrong_idiom": "%%sql -d postgres\nSELECT `segment` FROM merchants",
    "store_duckdb": "%%sql -o in_duckdb\n"
    "SELECT COUNT(DISTINCT merchant_id) * (3 / 2) / 1.5 AS n\n"
    "FROM merchant_contracts WHERE contract_status = 'active'",
    "to_postgres": "from kit import use_dialect\nuse_dialect('postgres')",
    "check_duckdb": 'check("q0.active_merchants", in_duckdb)',
    "to_duckdb": "use_dialect(None)",
    "pg_no_column": "%%sql -d postgres\nSELECT no_such_column FROM merchants",
    "check_pg_no_column": 'check("q2.top100_cte", '
    '"SELECT no_such_column FROM merchants", dialect="postgres")',
}


def outputs_text(cell) -> str:
    parts = []
    for output in cell.outputs:
        if output.get("output_type") == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
        elif output.get("output_type") == "error":
            parts.append(f"ERROR {output['ename']}: {output['evalue']}")
    return "".join(parts)


def run_cells(sources: dict[str, str], env: dict, cwd) -> dict[str, str]:
    notebook = new_notebook(cells=[new_code_cell(s) for s in sources.values()])
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute(env=env)
    return {
        name: outputs_text(cell)
        for name, cell in zip(sources, notebook.cells, strict=True)
    }


@pytest.fixture(scope="module")
def outputs(default_dataset, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("sql-magic")
    return run_cells(CELLS, kit_env(default_dataset, tmp_path), tmp_path)


def test_long_result_is_truncated_with_count(outputs):
    text = outputs["show"]
    assert "Showing the first 20 of 1,000 rows." in text
    assert "19 " in text
    assert "\n20 " not in text


def test_short_result_shows_every_row(outputs):
    assert "lucky" in outputs["short"]
    assert "7" in outputs["short"]
    assert "Showing" not in outputs["short"]


def test_stored_query_keeps_text_and_result(outputs):
    assert outputs["stored_type"].strip() == "SqlAnswer 3 True"


def test_check_on_stored_query_is_correct(outputs):
    assert outputs["check_stored"].startswith("Correct: q0.arr_by_segment")


def test_check_on_stored_wrong_query_is_incorrect(outputs):
    assert outputs["check_wrong"].startswith("Incorrect: q0.arr_by_segment")


def test_failed_query_prints_diagnostic(outputs):
    text = outputs["fail"]
    assert text.startswith("The SQL failed.")
    assert "WHERE clause cannot contain window functions" in text
    assert "LINE " in text
    assert "ERROR" not in text
    assert "Traceback" not in text


def test_failed_query_diagnostic_matches_check(outputs):
    failed = outputs["fail"].splitlines()[1:3]
    checked = outputs["check_failed"].splitlines()
    assert checked[0] == "Could not check q2.top100_cte: the SQL failed."
    assert checked[1:3] == failed
    assert any("Likely mistake" in line for line in checked)


def test_invalid_name_is_rejected(outputs):
    assert "'2nd' is not a Python name" in outputs["bad_name"]


def test_kernel_keeps_working_after_failure(outputs):
    assert outputs["alive"].strip() == "still running 42"


def test_dialect_option_keeps_integer_division(outputs):
    assert "half" in outputs["pg_division"]
    assert "3" in outputs["pg_division"]
    assert "3.5" not in outputs["pg_division"]


def test_check_reads_stored_dialect(outputs):
    assert "Correct" in outputs["check_mysql"]


def test_unknown_dialect_is_named(outputs):
    text = outputs["bad_dialect"]
    assert "unknown SQL dialect 'oracle'" in text
    assert "ERROR" not in text


def test_idiom_of_other_dialect_is_located(outputs):
    text = outputs["wrong_idiom"]
    assert "The SQL failed." in text
    assert "line 1" in text.lower()
    assert "ERROR" not in text


def test_stored_duckdb_query_keeps_dialect(outputs):
    # In PostgreSQL 3 / 2 is 1, so read as PostgreSQL the count is wrong.
    assert outputs["check_duckdb"].startswith("Correct: q0.active_merchants")


def test_duckdb_error_says_line_is_transpiled(outputs):
    text = outputs["pg_no_column"]
    assert text.startswith("The SQL failed.")
    assert "from your PostgreSQL SQL, so its LINE below quotes" in text
    assert "no_such_column" in text
    failed = text.splitlines()[1:]
    checked = outputs["check_pg_no_column"].splitlines()
    assert checked[1 : len(failed) + 1] == failed


def test_load_ext_registers_magic(default_dataset, tmp_path):
    sources = {"load": "%load_ext kit", "query": "%%sql\nSELECT 6 * 7 AS product"}

    found = run_cells(sources, kit_env(default_dataset, tmp_path), tmp_path)

    assert "ERROR" not in found["load"]
    assert "42" in found["query"]
    assert "ERROR" not in found["query"]


def test_magic_unknown_without_kit(default_dataset, tmp_path):
    found = run_cells(
        {"query": "%%sql\nSELECT 1"}, kit_env(default_dataset, tmp_path), tmp_path
    )

    assert "UsageError" in found["query"] or "ERROR" in found["query"]


def test_start_notebook_uses_sql_magic():
    from kit import paths

    notebook = nbformat.read(paths.templates_dir() / "00_start.ipynb", as_version=4)
    assert any(cell.source.startswith("%%sql") for cell in notebook.cells)
