"""Grading the solved form of every notebook gives every exercise correct.

Each candidate gets a dataset of its own seed, so this also shows that the
reference solutions hold on data other than the default dataset.
"""

import nbformat
import pytest

from kit import class_secret, paths
from kit.grade import grade
from kit.registry import load_registry

SIZE = 300
# Long enough for the slowest solved cell on a loaded two-core machine.
CELL_TIMEOUT = 45


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    root = tmp_path_factory.mktemp("solved-class")
    roster = root / "roster.csv"
    roster.write_text("candidate_id,name\nsolver,Solver\n", encoding="utf-8")
    secret = root / "secret.txt"
    class_secret.create_secret(secret)
    folder = root / "submissions" / "solver"
    folder.mkdir(parents=True)
    for solved in sorted(paths.solved_notebooks_dir().glob("*.ipynb")):
        nbformat.write(nbformat.read(solved, as_version=4), folder / solved.name)

    return grade(
        root / "submissions",
        roster,
        secret,
        root / "report",
        jobs=2,
        timeout=CELL_TIMEOUT,
        merchants=SIZE,
    )


def test_solved_notebooks_all_correct(rows):
    verdicts = {row.exercise_id: row.verdict for row in rows}
    solved = {path.stem for path in paths.solved_notebooks_dir().glob("*.ipynb")}
    expected = {e.id for e in load_registry() if e.notebook in solved}

    assert set(verdicts) == expected
    assert {key: v for key, v in verdicts.items() if v != "correct"} == {}
