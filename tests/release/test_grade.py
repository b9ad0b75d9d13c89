"""Grading a class: each submission case, named for its outcome, gets its verdicts.

The cases start from notebook 00's solved or blank form, which is quick to
run, and are graded together in two jobs, as an instructor would. The solved
forms of the other notebooks are graded in test_grade_solved.py, with the
longer cell timeout they need.
"""

import copy
import csv
import uuid

import nbformat
import pytest

from kit import class_secret, paths
from kit.grade import grade
from kit.release import build_release

SIZE = 300
# Long enough for the slowest cell of notebook 00 and for the output flood on
# a loaded two-core machine. The infinite loop costs this much once.
CELL_TIMEOUT = 20
STEM = "00_start"
IDS = ["q0.active_merchants", "q0.arr_by_segment", "q0.who_asks"]
WRONG = {
    "q0.active_merchants": 'answer = "SELECT COUNT(*) FROM merchant_contracts"',
    "q0.arr_by_segment": (
        'answer = """SELECT m.segment, SUM(c.arr_value) AS total_arr, '
        "COUNT(DISTINCT c.merchant_id) AS merchants FROM merchant_contracts c "
        'JOIN merchants m USING (merchant_id) GROUP BY m.segment"""'
    ),
    "q0.who_asks": "answer = {'Where can we sell more seats?': 'csm'}",
}


def notebook(kind: str):
    folder = paths.solved_notebooks_dir() if kind == "solved" else paths.templates_dir()
    return nbformat.read(folder / f"{STEM}.ipynb", as_version=4)


def exercise_index(nb, exercise_id: str) -> int:
    for index, cell in enumerate(nb.cells):
        if cell.get("metadata", {}).get("kit", {}).get("exercise") == exercise_id:
            return index
    raise LookupError(exercise_id)


def code_cell(source: str):
    return nbformat.v4.new_code_cell(source)


def with_wrong_answers(nb):
    for exercise_id, answer in WRONG.items():
        cell = nb.cells[exercise_index(nb, exercise_id)]
        cell.source = f'{answer}\ncheck("{exercise_id}", answer)'
    return nb


def forged_outputs():
    """The blank template wearing the solved notebook's outputs."""
    blank, solved = notebook("template"), notebook("solved")
    for cell, done in zip(blank.cells, solved.cells, strict=True):
        if cell.cell_type == "code":
            cell.outputs = copy.deepcopy(done.outputs)
            cell.execution_count = done.execution_count
    return blank


def patched_check():
    nb = with_wrong_answers(notebook("solved"))
    nb.cells.insert(
        1,
        code_cell(
            "import kit\n"
            "def check(*args, **kwargs):\n    print('Correct!')\n"
            "kit.check = check"
        ),
    )
    return nb


def reordered_new_ids():
    nb = notebook("solved")
    cells = [nb.cells[exercise_index(nb, exercise_id)] for exercise_id in IDS]
    for cell in cells:
        nb.cells.remove(cell)
        cell.id = uuid.uuid4().hex[:12]
    nb.cells[1:1] = list(reversed(cells))
    return nb


def duplicated_wrong_first():
    nb = notebook("solved")
    index = exercise_index(nb, "q0.active_merchants")
    wrong = copy.deepcopy(nb.cells[index])
    wrong.id = uuid.uuid4().hex[:12]
    wrong.source = (
        f'{WRONG["q0.active_merchants"]}\ncheck("q0.active_merchants", answer)'
    )
    nb.cells.insert(index, wrong)
    return nb


def deleted_cell():
    nb = notebook("solved")
    del nb.cells[exercise_index(nb, "q0.arr_by_segment")]
    return nb


def inserted_before(exercise_id: str, source: str):
    nb = notebook("solved")
    nb.cells.insert(exercise_index(nb, exercise_id), code_cell(source))
    return nb


def in_dialects():
    """BigQuery for the kernel, MySQL for one check: "active" is text in both.

    As DuckDB SQL, "active" names a column, so the answers fail unless the
    grader reads them in the dialect they were checked in.
    """
    nb = notebook("solved")
    nb.cells.insert(
        1, code_cell('from kit import use_dialect\nuse_dialect("bigquery")')
    )
    sources = {
        "q0.active_merchants": (
            "answer = 'SELECT COUNT(DISTINCT merchant_id) AS active_merchants "
            'FROM merchant_contracts WHERE contract_status = "active"\'\n'
            'check("q0.active_merchants", answer, dialect="mysql")'
        ),
        "q0.arr_by_segment": (
            "answer = 'SELECT m.segment, SUM(c.arr_value) AS total_arr, "
            "COUNT(DISTINCT c.merchant_id) AS merchants FROM merchant_contracts c "
            "JOIN merchants m ON m.merchant_id = c.merchant_id "
            'WHERE c.contract_status = "active" GROUP BY m.segment\'\n'
            'check("q0.arr_by_segment", answer)'
        ),
    }
    for exercise_id, source in sources.items():
        nb.cells[exercise_index(nb, exercise_id)].source = source
    return nb


def not_json(path):
    path.write_text("{this is not a notebook", encoding="utf-8")


CORRECT = dict.fromkeys(IDS, "correct")
CASES = {
    "correct": (notebook("solved"), CORRECT),
    "wrong": (with_wrong_answers(notebook("solved")), dict.fromkeys(IDS, "incorrect")),
    "forged-outputs": (forged_outputs(), dict.fromkeys(IDS, "not attempted")),
    "patched-check": (patched_check(), dict.fromkeys(IDS, "incorrect")),
    "reordered-new-ids": (reordered_new_ids(), CORRECT),
    "duplicated-last-counts": (duplicated_wrong_first(), CORRECT),
    "deleted-cell": (deleted_cell(), dict(CORRECT, **{"q0.arr_by_segment": "missing"})),
    "infinite-loop": (inserted_before("q0.who_asks", "while True:\n    pass"), CORRECT),
    "memory-error": (
        inserted_before("q0.who_asks", "hog = bytearray(16 * 1024**3)"),
        CORRECT,
    ),
    "killed-kernel": (
        inserted_before(
            "q0.arr_by_segment",
            "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
        ),
        dict.fromkeys(IDS, "not graded") | {"q0.active_merchants": "correct"},
    ),
    "output-flood": (
        inserted_before(
            "q0.who_asks", "for i in range(200_000):\n    print('x' * 100)"
        ),
        CORRECT,
    ),
    "drop-table": (
        inserted_before(
            "q0.active_merchants",
            "import os, duckdb\ncon.close()\n"
            "writer = duckdb.connect(os.environ['KIT_DB'])\n"
            "writer.execute('DROP TABLE merchant_contracts')\nwriter.close()",
        ),
        CORRECT,
    ),
    "not-json": (not_json, dict.fromkeys(IDS, "not graded")),
    "in-dialects": (in_dialects(), CORRECT),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    roster = root / "roster.csv"
    roster.write_text(
        "candidate_id,name\n"
        + "".join(f"{case},{case}\n" for case in CASES)
        + "absent,Absent Candidate\n",
        encoding="utf-8",
    )
    secret = root / "secret.txt"

    class_secret.create_secret(secret)
    submissions = root / "submissions"
    for case, (made, _) in CASES.items():
        folder = submissions / case
        folder.mkdir(parents=True)
        target = folder / f"{STEM}.ipynb"
        if callable(made):
            made(target)
        else:
            nbformat.write(made, target)
    backup = submissions / "correct" / f"{STEM}.20260101-000000.ipynb"
    nbformat.write(with_wrong_answers(notebook("solved")), backup)
    (submissions / "stranger").mkdir()
    nbformat.write(notebook("solved"), submissions / "stranger" / f"{STEM}.ipynb")
    rows = grade(
        submissions,
        roster,
        secret,
        root / "report",
        jobs=2,
        timeout=CELL_TIMEOUT,
        merchants=SIZE,
    )
    return root, rows


@pytest.mark.parametrize("case", list(CASES))
def test_case_gets_its_verdicts(graded, case):
    _, rows = graded
    # The correct candidate's backup copy gives a row with no exercise, which
    # test_backup_copies_skipped covers.
    verdicts = {
        row.exercise_id: row.verdict
        for row in rows
        if row.candidate_id == case and row.exercise_id
    }

    assert verdicts == CASES[case][1], [r for r in rows if r.candidate_id == case]


def test_candidate_not_on_roster_rejected(graded):
    _, rows = graded
    stranger = [row for row in rows if row.candidate_id == "stranger"]

    assert [(row.verdict, row.detail) for row in stranger] == [
        ("not on roster", "not graded")
    ]


def test_report_written(graded):
    root, rows = graded
    with open(root / "report" / "verdicts.csv", encoding="utf-8") as stream:
        lines = list(csv.DictReader(stream))
    with open(root / "report" / "grades.csv", encoding="utf-8") as stream:
        grid = {line["candidate_id"]: line for line in csv.DictReader(stream)}
    page = (root / "report" / "report.html").read_text(encoding="utf-8")

    assert len(lines) == len(rows)
    assert grid["wrong"]["q0.active_merchants"] == "incorrect"
    assert grid["deleted-cell"]["q0.arr_by_segment"] == "missing"
    assert grid["stranger"]["q0.active_merchants"] == "not on roster"
    assert grid["wrong"]["q3.health_score"] == "not submitted"
    assert grid["absent"]["q0.who_asks"] == "not submitted"
    assert "Pass rate per question type" in page
    assert "<svg" in page
    assert "q0.active_merchants" in page


def test_release_and_grading_share_datasets(graded, tmp_path):
    """A release built with the same secret gives the dataset grading rebuilt."""
    root, _ = graded
    build_release(
        root / "roster.csv",
        tmp_path / "out",
        root / "secret.txt",
        only="correct",
        merchants=SIZE,
    )
    released = tmp_path / "out" / "correct" / "data" / paths.DEFAULT_DB_NAME
    rebuilt = root / "report" / ".datasets" / "correct" / paths.DEFAULT_DB_NAME

    import duckdb

    queries = []
    for dataset in (released, rebuilt):
        with duckdb.connect(str(dataset), read_only=True) as con:
            queries.append(
                con.sql(
                    "SELECT seed, (SELECT SUM(arr_value) FROM merchant_contracts) "
                    "FROM dataset_info"
                ).fetchall()
            )
    assert queries[0] == queries[1]


def test_backup_copies_skipped(graded):
    _, rows = graded
    skipped = [row for row in rows if row.verdict == "skipped"]

    assert [(row.candidate_id, row.notebook) for row in skipped] == [
        ("correct", f"{STEM}.20260101-000000")
    ]


def test_report_names_mistakes(graded):
    root, _ = graded
    with open(root / "report" / "verdicts.csv", encoding="utf-8") as stream:
        wrong = [
            line
            for line in csv.DictReader(stream)
            if line["candidate_id"] == "wrong"
            and line["exercise_id"] == "q0.active_merchants"
        ]

    assert "counted_contracts" in wrong[0]["mistakes"].split(",")
    assert "Likely mistake" in wrong[0]["detail"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("memory_mb", 512, "--memory-mb 512 must be at least 1024"),
        ("jobs", 0, "--jobs 0 must be at least 1"),
        ("timeout", -5, "--timeout -5 must be at least 1"),
    ],
)
def test_bad_limit_named_alone(tmp_path, option, value, message):
    from kit.errors import KitError

    with pytest.raises(KitError) as raised:
        grade(tmp_path, tmp_path / "r.csv", tmp_path / "s", tmp_path, **{option: value})

    assert str(raised.value) == message


def test_bad_size_rejected_before_writing(tmp_path):
    from kit.errors import KitError

    with pytest.raises(KitError, match="invalid --merchants 10"):
        grade(
            tmp_path, tmp_path / "r.csv", tmp_path / "s", tmp_path / "out", merchants=10
        )

    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("kept", "merchants", "rebuilt"),
    [(300, None, True), (300, 300, False), (1000, None, False)],
)
def test_kept_dataset_reused_only_at_its_size(
    tmp_path, monkeypatch, kept, merchants, rebuilt
):
    import duckdb

    from kit.grade import DATASETS_DIR, _dataset

    secret = b"s" * 32
    seed = class_secret.candidate_seed(secret, "ann")
    target = tmp_path / DATASETS_DIR / "ann" / paths.DEFAULT_DB_NAME
    target.parent.mkdir(parents=True)
    with duckdb.connect(str(target)) as con:
        con.execute(
            f"CREATE TABLE dataset_info AS SELECT {seed} AS seed, {kept} AS merchants"
        )
    calls = []
    monkeypatch.setattr(
        "datagen.generate", lambda *args, **kwargs: calls.append(kwargs)
    )

    assert _dataset(tmp_path, "ann", secret, merchants, 1) == target

    assert bool(calls) == rebuilt
    if rebuilt:
        assert calls[0]["merchants"] == 1000
