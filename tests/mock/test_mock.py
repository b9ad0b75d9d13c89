"""Mock interviews: laid out, worked in a real kernel, graded from the record.

One mock is built per module on a small fresh dataset. Each case works a
copy of it in a kernel, cell by cell in the order a candidate would (or
out of order, to state an audience late), then grades it.
"""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kit import db, mock_grade, mock_session
from kit.grade_run import RunResult
from kit.mock import (
    PRACTICE_SEED,
    QUESTION_TYPES,
    data_seed,
    pick_exercises,
    used_seeds,
)
from kit.mock_grade import GRADE_FILE, GRADE_JSON, grade_mock
from kit.mock_notebook import AUDIENCE_KEY, audience_cells, solve_mock
from kit.mock_session import AUDIENCES, EVENTS_FILE, NOTEBOOK_FILE, STATE_FILE
from kit.registry import load_registry

# The first seed whose mock includes an exercise that uses another's solution.
SEED = next(
    seed
    for seed in range(100)
    if any(exercise.uses for exercise in pick_exercises(load_registry(), seed))
)
MERCHANTS = 300


def kernel_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("KIT_STRICT", "KIT_RESULTS", "KIT_GRADING"):
        env.pop(name, None)
    # A dataset that does not exist: the mock must use the one in its folder.
    env["KIT_DB"] = str(tmp_path / "missing" / "merchants.duckdb")
    env["KIT_PROGRESS"] = str(tmp_path / "practice-progress.json")
    return env


def execute(notebook, folder: Path, order: list[int], env: dict) -> None:
    """Run the code cells at ``order`` in one kernel, then save the notebook."""
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    with client.setup_kernel(env=env):
        for index in order:
            if notebook.cells[index].cell_type == "code":
                client.execute_cell(notebook.cells[index], index)
    nbformat.write(notebook, folder / NOTEBOOK_FILE)


def exercise_index(notebook, exercise_id: str) -> int:
    for index, cell in enumerate(notebook.cells):
        if cell.get("metadata", {}).get("kit", {}).get("exercise") == exercise_id:
            return index
    raise LookupError(exercise_id)


def audience_index(notebook, exercise_id: str) -> int:
    for index, cell in enumerate(notebook.cells):
        if cell.get("metadata", {}).get("kit", {}).get(AUDIENCE_KEY) == exercise_id:
            return index
    raise LookupError(exercise_id)


def wrong_answer(exercise) -> str:
    """Return a line that sets ``answer`` to a wrong answer of the right kind."""
    if exercise.answer == "choice":
        return f"answer = {exercise.choices[-1]!r}"
    if exercise.answer == "mapping":
        return "answer = {key: 'wrong' for key in answer}"
    if exercise.answer == "number":
        return "answer = -1"
    return 'answer = "SELECT 1 AS merchant_id"'


def grade_in_subprocess(folder: Path) -> subprocess.CompletedProcess:
    """Run `python -m kit mock --grade FOLDER` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "kit", "mock", "--grade", str(folder)],
        capture_output=True,
        text=True,
    )


def outputs_text(cell) -> str:
    return "".join(
        output.get("text", "")
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
    )


@pytest.fixture(scope="module")
def blank_mock(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mocks") / "blank"
    command = [sys.executable, "-m", "kit", "mock", "--seed", str(SEED)]
    command += ["--out", str(folder), "--merchants", str(MERCHANTS)]

    completed = subprocess.run(command, capture_output=True, text=True)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"Wrote {folder / NOTEBOOK_FILE}." in completed.stdout
    return folder


@pytest.fixture
def mock_copy(blank_mock, tmp_path) -> Path:
    folder = tmp_path / "mock"
    shutil.copytree(blank_mock, folder)
    return folder


@pytest.fixture(scope="module")
def state(blank_mock) -> dict:
    return json.loads((blank_mock / STATE_FILE).read_text(encoding="utf-8"))


def test_mock_has_one_question_per_type(state):
    registry = load_registry()
    types = [registry.get(q["exercise"]).question_type for q in state["questions"]]
    assert types == list(QUESTION_TYPES)


def test_mock_dataset_is_fresh(blank_mock, state):
    import duckdb

    dataset = blank_mock / "data" / "merchants.duckdb"
    with duckdb.connect(str(dataset), read_only=True) as con:
        seed, merchants = con.sql(
            "SELECT seed, merchants FROM dataset_info"
        ).fetchall()[0]
    assert seed == state["data_seed"]
    assert seed != PRACTICE_SEED
    assert merchants == MERCHANTS


def test_mock_notebook_layout(blank_mock, state):
    notebook = nbformat.read(blank_mock / NOTEBOOK_FILE, as_version=4)
    registry = load_registry()
    for question in state["questions"]:
        exercise_id = question["exercise"]
        assert audience_index(notebook, exercise_id) < exercise_index(
            notebook, exercise_id
        )
    given = [cell.source for cell in notebook.cells if "# Given:" in cell.source]
    users = [
        registry.get(q["exercise"])
        for q in state["questions"]
        if registry.get(q["exercise"]).uses
    ]
    assert users, "pick a SEED whose mock uses another exercise's solution"
    for exercise in users:
        for used in registry.uses_of(exercise):
            assert any(f"the work of {used.id}" in text for text in given), used.id
    assert notebook.cells[-1].source == "finish()"


def test_same_seed_same_questions():
    registry = load_registry()
    for seed in range(10):
        first = [e.id for e in pick_exercises(registry, seed)]
        again = [e.id for e in pick_exercises(registry, seed)]
        assert first == again
    picks = {tuple(e.id for e in pick_exercises(registry, s)) for s in range(10)}
    assert len(picks) > 1


def test_picked_exercises_use_none_of_each_other():
    registry = load_registry()
    for seed in range(50):
        picked = pick_exercises(registry, seed)
        for exercise in picked:
            used = registry.uses_of(exercise)
            assert not [other.id for other in picked if other in used], seed


def test_data_seed_avoids_used_seeds(tmp_path):
    first = data_seed(SEED, {PRACTICE_SEED})
    other = tmp_path / "mocks" / "earlier"
    other.mkdir(parents=True)
    (other / STATE_FILE).write_text(json.dumps({"data_seed": first}))

    avoided = used_seeds(tmp_path / "mocks" / "new")

    assert first in avoided
    assert PRACTICE_SEED in avoided
    assert data_seed(SEED, avoided) != first
    assert data_seed(SEED, avoided) not in avoided


def test_solved_mock_grades_correct(mock_copy, state, tmp_path):
    registry = load_registry()
    path = mock_copy / NOTEBOOK_FILE
    solved = solve_mock(nbformat.read(path, as_version=4), path, registry)
    first = exercise_index(solved, state["questions"][0]["exercise"])
    # Six seconds of thinking before the first answer.
    solved.cells.insert(first, nbformat.v4.new_code_cell("import time; time.sleep(6)"))

    execute(solved, mock_copy, list(range(len(solved.cells))), kernel_env(tmp_path))
    grades = grade_mock(mock_copy)

    for question, grade in zip(state["questions"], grades, strict=True):
        exercise = registry.get(question["exercise"])
        assert grade.exercise_id == exercise.id
        assert grade.verdict == "correct", grade
        assert not grade.late, grade
        assert grade.audience_stated == exercise.audience
        assert grade.audience_right
        assert grade.audience_first
        assert grade.minutes >= 0
    assert grades[0].minutes >= 0.1
    checked = outputs_text(solved.cells[exercise_index(solved, grades[0].exercise_id)])
    assert "Time left:" in checked
    text = (mock_copy / GRADE_FILE).read_text(encoding="utf-8")
    assert "Total: 5 of 5 correct within the time limit." in text
    assert "Audience: 5 of 5 right, 5 of 5 stated before the first attempt." in text
    record = json.loads((mock_copy / GRADE_JSON).read_text(encoding="utf-8"))
    assert [q["counts"] for q in record["questions"]] == [True] * 5
    assert not (tmp_path / "practice-progress.json").exists()


def test_mock_grades_each_mistake(mock_copy, state, tmp_path):
    registry = load_registry()
    ids = [question["exercise"] for question in state["questions"]]
    path = mock_copy / NOTEBOOK_FILE
    solved = solve_mock(nbformat.read(path, as_version=4), path, registry)
    # Question 1: a wrong answer.
    cell = solved.cells[exercise_index(solved, ids[0])]
    lines = cell.source.splitlines()
    lines.insert(-1, wrong_answer(registry.get(ids[0])))
    cell.source = "\n".join(lines)
    # Question 4: the wrong audience.
    expected = registry.get(ids[3]).audience
    wrong = next(value for value in AUDIENCES if value != expected)
    cell = solved.cells[audience_index(solved, ids[3])]
    cell.source = cell.source.replace(f'"{expected}")', f'"{wrong}")')
    # Question 2: no audience statement.
    del solved.cells[audience_index(solved, ids[1])]
    # Question 3: the audience stated after the first attempt.
    order = list(range(len(solved.cells)))
    stated, attempted = audience_index(solved, ids[2]), exercise_index(solved, ids[2])
    order.remove(stated)
    order.insert(order.index(attempted) + 1, stated)

    execute(solved, mock_copy, order, kernel_env(tmp_path))
    # Question 5: checked after the limit. Move the recorded start back so the
    # limit falls between the last check of question 4 and the first of 5.
    events = mock_session.read_events(mock_copy)
    checks = [e for e in events if e["event"] == "check"]
    last_of_4 = [e["at"] for e in checks if e["exercise"] == ids[3]][-1]
    first_of_5 = [e["at"] for e in checks if e["exercise"] == ids[4]][0]
    limit = last_of_4 + (first_of_5 - last_of_4) / 2
    new_start = limit - dt.timedelta(minutes=state["minutes"])
    lines = (mock_copy / EVENTS_FILE).read_text(encoding="utf-8").splitlines()
    start_line = json.loads(lines[0])
    assert start_line["event"] == "start"
    start_line["time"] = new_start.isoformat()
    lines[0] = json.dumps(start_line)
    (mock_copy / EVENTS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")

    grades = {grade.exercise_id: grade for grade in grade_mock(mock_copy)}

    assert grades[ids[0]].verdict == "incorrect"
    assert grades[ids[0]].audience_first
    assert grades[ids[1]].verdict == "correct"
    assert grades[ids[1]].audience_stated is None
    assert not grades[ids[1]].audience_right
    assert not grades[ids[1]].audience_first
    assert grades[ids[2]].verdict == "correct"
    assert grades[ids[2]].audience_right
    assert not grades[ids[2]].audience_first
    assert grades[ids[3]].audience_stated == wrong
    assert not grades[ids[3]].audience_right
    assert grades[ids[3]].audience_first
    assert not grades[ids[3]].late
    assert grades[ids[4]].verdict == "correct"
    assert grades[ids[4]].late
    assert grades[ids[4]].audience_first
    text = (mock_copy / GRADE_FILE).read_text(encoding="utf-8")
    assert "correct (late)" in text
    assert "missing (expected" in text
    assert "Total: 3 of 5 correct within the time limit (1 more correct late" in text
    assert "Audience: 3 of 5 right, 3 of 5 stated before the first attempt." in text


def test_out_with_dataset_is_rejected(tmp_path):
    dataset = tmp_path / "data" / "merchants.duckdb"
    dataset.parent.mkdir()
    dataset.write_bytes(b"practice data")

    completed = subprocess.run(
        [sys.executable, "-m", "kit", "mock", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
    )

    assert completed.returncode == 2
    assert "already contains a dataset" in completed.stderr
    assert dataset.read_bytes() == b"practice data"
    assert not (tmp_path / NOTEBOOK_FILE).exists()


def test_out_with_notebooks_rejected(tmp_path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "02_sql_churn_risk.ipynb").write_text("{}")

    completed = subprocess.run(
        [sys.executable, "-m", "kit", "mock", "--out", str(workspace)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )

    assert completed.returncode == 2
    assert "contains notebooks such as 02_sql_churn_risk.ipynb" in completed.stderr
    assert not (workspace / "data").exists()
    assert not (workspace / NOTEBOOK_FILE).exists()


def test_grade_reads_sql_in_its_dialect(mock_copy, monkeypatch):
    state = json.loads((mock_copy / STATE_FILE).read_text(encoding="utf-8"))
    state["questions"] = [{"exercise": "q2.top100_cte", "question_type": "sql"}]
    (mock_copy / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    # DuckDB has no DATE_SUB(date, INTERVAL n DAY), so only MySQL runs this.
    mysql = """
        WITH active_arr AS (
            SELECT merchant_id, SUM(arr_value) AS total_arr
            FROM merchant_contracts
            WHERE contract_status = 'active'
              AND DATE_SUB(as_of_date(), INTERVAL 1 DAY) < as_of_date()
            GROUP BY merchant_id
        )
        SELECT * FROM (
            SELECT merchant_id, total_arr,
                   RANK() OVER (ORDER BY total_arr DESC) AS arr_rank
            FROM active_arr
        ) AS ranked
        WHERE arr_rank <= 100"""
    run = RunResult(
        answers={"q2.top100_cte": mysql}, dialects={"q2.top100_cte": "mysql"}
    )
    monkeypatch.setattr(mock_grade, "run_notebook", lambda *args, **kwargs: run)

    grades = grade_mock(mock_copy)

    assert [grade.verdict for grade in grades] == ["correct"], grades


def test_grade_survives_hand_edited_events(mock_copy, monkeypatch, caplog):
    state = json.loads((mock_copy / STATE_FILE).read_text(encoding="utf-8"))
    exercise_id = state["questions"][0]["exercise"]
    lines = [
        {"event": "start", "time": "2026-12-04T10:00:00"},
        {"event": "audience", "time": "2026-12-04T10:01:00+00:00"},
        {"event": "audience", "time": "2026-12-04T10:01:00", "exercise": ["x"]},
        {"event": "check", "time": "2026-12-04T10:02:00+00:00", "exercise": 7},
        {"event": "check", "time": "2026-12-04T10:03:00", "exercise": exercise_id},
        ["not", "an", "event"],
    ]
    (mock_copy / EVENTS_FILE).write_text(
        "\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8"
    )
    monkeypatch.setattr(mock_grade, "run_notebook", lambda *args, **kwargs: RunResult())

    grades = grade_mock(mock_copy)

    assert grades[0].exercise_id == exercise_id
    assert grades[0].minutes == 3.0
    skipped = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert skipped == [
        f"skipped line {number} of {EVENTS_FILE}: not a valid event, "
        "so fix or delete it"
        for number in (2, 3, 4, 6)
    ]
    text = (mock_copy / GRADE_FILE).read_text(encoding="utf-8")
    assert "Started 2026-12-04 10:00 UTC, ended 10:03 UTC" in text


def test_grade_without_dataset_says_how_to_rebuild(mock_copy, state):
    shutil.rmtree(mock_copy / "data")

    completed = grade_in_subprocess(mock_copy)

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    rebuild = f"--seed {state['data_seed']} --merchants {MERCHANTS} --out "
    assert "dataset" in completed.stderr
    assert "is missing" in completed.stderr
    assert rebuild in completed.stderr


def test_check_after_limit_says_late(blank_mock, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "late"
    folder.mkdir()
    (folder / "data").symlink_to(blank_mock / "data")
    (folder / STATE_FILE).write_text(json.dumps({"minutes": 1}))
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
    (folder / EVENTS_FILE).write_text(
        json.dumps({"event": "start", "time": started.isoformat()}) + "\n"
    )
    monkeypatch.setenv("KIT_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("KIT_GRADING", raising=False)
    monkeypatch.setattr(mock_session, "_session", None)
    try:
        mock_session.start(folder)
        mock_session.check("q1.audience_usage_alerts", "csm")
    finally:
        db.close_all()

    printed = capsys.readouterr().out
    assert "Welcome back. Time is up: 1 min" in printed
    assert printed.rstrip().endswith("answers checked now are graded as late.")
    events = mock_session.read_events(folder)
    assert [e["event"] for e in events] == ["start", "start", "check"]
    assert events[-1]["verdict"] == "correct"


def test_audience_rejects_unknown_value(capsys, monkeypatch):
    monkeypatch.setattr(mock_session, "_session", None)

    mock_session.audience("q0.who_asks", "sales")

    assert "not 'sales'; nothing was recorded" in capsys.readouterr().out


def test_blank_mock_audience_cells_are_empty(blank_mock):
    notebook = nbformat.read(blank_mock / NOTEBOOK_FILE, as_version=4)
    cells = audience_cells(notebook)
    assert len(cells) == 5
    assert all('", "")' in cell.source for cell in cells)


@pytest.mark.parametrize(
    "arguments, fragment",
    [
        (["--minutes", "0"], "--minutes 0 is invalid"),
        (["--minutes", "abc"], "--minutes abc is invalid"),
        (["--seed", "x"], "--seed x is invalid"),
        (["--merchants", "10"], "--merchants 10 is invalid"),
        (["--grade", "{tmp}/nowhere"], "nowhere does not exist"),
        (["--grade", "{tmp}"], "contains no mock"),
        (["--grade", "{mock}/mock.ipynb"], "mock.ipynb is a file: name the folder"),
        (["--grade", "{mock}", "--minutes", "3"], "--grade takes no --minutes"),
        (["--out", "{mock}"], "already contains a mock"),
    ],
)
def test_cli_rejects_bad_input(arguments, fragment, blank_mock, tmp_path):
    filled = [a.format(tmp=tmp_path, mock=blank_mock) for a in arguments]

    completed = subprocess.run(
        [sys.executable, "-m", "kit", "mock", *filled],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert len(completed.stderr.strip().splitlines()) == 1, completed.stderr
    assert fragment in completed.stderr


@pytest.mark.parametrize("minutes", [-5, 0, 601])
def test_grade_rejects_minutes_out_of_range(mock_copy, minutes):
    state_file = mock_copy / STATE_FILE
    state = json.loads(state_file.read_text(encoding="utf-8"))
    state["minutes"] = minutes
    state_file.write_text(json.dumps(state), encoding="utf-8")

    completed = grade_in_subprocess(mock_copy)

    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert f"gives {minutes} minutes" in completed.stderr
    assert "1 to 600 minutes" in completed.stderr
