"""The corpus in other dialects: tests/answers/<exercise id>/<dialect>/*.sql.

Each file starts with an expect line, as in the DuckDB corpus. A correct
file, written in its dialect's own idioms, must pass. A wrong file that
translates a DuckDB corpus file of the same name must get the same
diagnostics: the same outcome and the same mistake ids.
"""

from pathlib import Path

import pytest

from kit.checking import judge
from kit.dialects import DIALECT_NAMES
from kit.verdict import Outcome

ANSWERS = Path(__file__).resolve().parent.parent / "answers"
DATASETS = [(3, 300), (42, 1000)]


def dialect_files():
    return sorted(ANSWERS.glob("*/*/*.sql"))


def expectation(path: Path) -> str:
    first_line = path.read_text().splitlines()[0]
    assert first_line.startswith("-- expect: "), f"{path.name} has no expect line"
    return first_line.removeprefix("-- expect: ").strip()


def test_dialect_folders_are_dialects():
    folders = {path.parent.name for path in dialect_files()}
    assert folders <= set(DIALECT_NAMES) - {"duckdb"}


def test_every_dialect_has_a_correct_answer():
    correct = {
        path.parent.name
        for path in dialect_files()
        if expectation(path) == "correct"
        and path.parent.parent.name == "q2.at_risk_top100"
    }
    assert correct == set(DIALECT_NAMES) - {"duckdb"}


def test_two_dialects_translate_whole_corpus():
    exercise = ANSWERS / "q2.at_risk_top100"
    wrong = {path.name for path in exercise.glob("wrong-*.sql")}
    for dialect in ("postgres", "mysql"):
        assert {path.name for path in (exercise / dialect).glob("wrong-*.sql")} == wrong


@pytest.mark.parametrize("seed,merchants", DATASETS, ids=lambda v: str(v))
@pytest.mark.parametrize(
    "path",
    dialect_files(),
    ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.stem}",
)
def test_dialect_answer_gets_its_verdict(path, seed, merchants, make_dataset):
    dataset = make_dataset(seed=seed, merchants=merchants)
    exercise_id = path.parent.parent.name
    dialect = path.parent.name
    expected = expectation(path)

    found, result = judge(
        exercise_id, path.read_text(), dialect=dialect, db_path=dataset
    )

    assert found
    if expected == "correct":
        assert result.outcome is Outcome.CORRECT, result.text()
        return
    assert result.outcome is not Outcome.CORRECT, result.text()
    assert expected in result.mistakes, result.text()
    duckdb_file = path.parent.parent / path.name
    if duckdb_file.is_file():
        _, duckdb_result = judge(exercise_id, duckdb_file.read_text(), db_path=dataset)
        assert result.outcome is duckdb_result.outcome, result.text()
        assert sorted(result.mistakes) == sorted(duckdb_result.mistakes), result.text()
