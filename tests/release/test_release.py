"""A release: one folder per candidate that checks answers without holding them."""

import re

import duckdb
import pandas as pd
import pytest

from kit import db, paths
from kit.catalogue import load_catalogue
from kit.checking import judge
from kit.reference import clear_cache, reference_answer
from kit.registry import load_registry
from kit.release import build_release
from kit.verdict import Outcome

ROSTER = "candidate_id,name,email\nann,Ann Lee,ann@example.com\nbob,Bob Ray,\n"
SIZE = 300


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("release")
    roster = root / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = root / "out"
    # Two at a time; the rebuild below runs one, to show jobs change nothing.
    build_release(roster, out, merchants=SIZE, jobs=2)
    return root


@pytest.fixture
def inside(monkeypatch, tmp_path):
    """Point the kit at one candidate's release folder."""

    def enter(folder):
        monkeypatch.setenv("KIT_PROJECT", str(folder))
        monkeypatch.setenv("KIT_PROGRESS", str(tmp_path / "progress.json"))
        return folder / "data" / paths.DEFAULT_DB_NAME

    yield enter
    db.close_all()
    clear_cache()


def references(dataset):
    """Return every exercise's reference on ``dataset``, from the full project."""
    return {
        exercise.id: reference_answer(exercise, dataset) for exercise in load_registry()
    }


def test_each_candidate_gets_own_dataset(release):
    hashes = []
    for candidate in ("ann", "bob"):
        dataset = release / "out" / candidate / "data" / paths.DEFAULT_DB_NAME
        db.close_all()
        with duckdb.connect(str(dataset), read_only=True) as con:
            hashes.append(con.sql("SELECT seed FROM dataset_info").fetchall()[0][0])

    assert hashes[0] != hashes[1]


def test_reference_answers_pass_in_release(release, inside):
    dataset = release / "out" / "ann" / "data" / paths.DEFAULT_DB_NAME
    expected = references(dataset)
    db.close_all()

    inside(release / "out" / "ann")
    verdicts = {
        exercise_id: judge(exercise_id, answer, db_path=dataset)[1]
        for exercise_id, answer in expected.items()
    }

    failed = {key: v.text() for key, v in verdicts.items() if not v.correct}
    assert not failed


def test_other_candidates_answers_fail(release, inside):
    """Digests are per candidate: Bob's reference does not pass as Ann's."""
    bob = release / "out" / "bob" / "data" / paths.DEFAULT_DB_NAME
    expected = references(bob)["q1.csm_dashboard"]
    db.close_all()

    dataset = inside(release / "out" / "ann")
    _, result = judge("q1.csm_dashboard", expected, db_path=dataset)

    assert result.outcome is Outcome.INCORRECT


@pytest.mark.parametrize(
    ("exercise_id", "answer", "expected"),
    [
        ("q0.active_merchants", 5, "The number does not match."),
        ("q3.whose_call", "am", "That is not the expected choice."),
        ("q2.no_baseline", [1], "1 ids, expected"),
        ("q2.at_risk_top100", "SELECT 1 AS merchant_id", "Missing columns: total_arr"),
    ],
)
def test_wrong_answers_fail_in_release(release, inside, exercise_id, answer, expected):
    dataset = inside(release / "out" / "ann")

    _, result = judge(exercise_id, answer, db_path=dataset)

    assert result.outcome is Outcome.INCORRECT
    assert expected in result.text(), result.text()


def test_solution_withheld_in_release(release, inside, capsys):
    from kit import solution

    inside(release / "out" / "ann")
    solution("q2.at_risk_top100")

    assert "not part of this release" in capsys.readouterr().out


def distinctive_lines(text: str, shipped: str) -> list[str]:
    """Return the long lines of a solution that the kit does not ship anyway."""
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if len(line) >= 30 and line not in shipped]


def test_release_holds_no_answers(release):
    folder = release / "out" / "ann"
    texts = {
        path: path.read_text(encoding="utf-8", errors="replace")
        for path in folder.rglob("*")
        if path.is_file() and path.suffix != ".duckdb"
    }
    shipped = "\n".join(texts.values())
    root = paths.project_root()
    kit_and_templates = "\n".join(
        path.read_text(encoding="utf-8")
        for pattern in ("kit/*.py", "kit/*.sql", "notebooks/*.ipynb")
        for path in root.glob(pattern)
    )

    assert not list(folder.rglob("*.answers.duckdb"))
    assert not (folder / "solutions").exists()
    for solution in (root / "solutions").glob("q*/*"):
        for line in distinctive_lines(solution.read_text(), kit_and_templates):
            assert line not in shipped, f"{solution.name}: {line}"
    assert not (folder / "kit" / "catalogue.yaml").exists()
    for entry in load_catalogue().values():
        assert entry.message[:60] not in " ".join(shipped.split()), entry.id
    for exercise in load_registry():
        explanation = " ".join(exercise.explanation.split())
        assert explanation[:60] not in " ".join(shipped.split()), exercise.id
        for note in exercise.item_notes.values():
            assert note[:60] not in shipped, exercise.id


def test_release_holds_no_reference_values(release, inside):
    folder = release / "out" / "ann"
    dataset = folder / "data" / paths.DEFAULT_DB_NAME
    expected = references(dataset)
    shipped = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in folder.rglob("*")
        if path.is_file() and path.suffix != ".duckdb"
    )
    values = set()
    for frame in expected.values():
        if isinstance(frame, pd.DataFrame):
            for column in frame.select_dtypes("float").columns:
                values.update(f"{value:.4f}" for value in frame[column].dropna())
    values = {value for value in values if re.search(r"\.\d*[1-9]", value)}

    assert len(values) > 100
    found = sorted(value for value in values if value in shipped)
    assert not found, found[:10]
    db.close_all()
    with duckdb.connect(str(dataset), read_only=True) as con:
        tables = {name for (name,) in con.sql("SHOW TABLES").fetchall()}
    assert not tables & {"planted", "tracking_break", "renewal_outcomes"}


def test_only_rebuilds_one_candidate_the_same(release):
    out = release / "out"
    bob_manifest = (out / "bob" / "release.json").stat().st_mtime_ns
    ann_manifest = (out / "ann" / "release.json").read_text()

    build_release(
        release / "roster.csv",
        out,
        secret_file=out / "class-secret.txt",
        only="ann",
        merchants=SIZE,
    )

    assert (out / "bob" / "release.json").stat().st_mtime_ns == bob_manifest
    assert (out / "ann" / "release.json").read_text() == ann_manifest
    assert not [path.name for path in out.iterdir() if path.name.startswith(".")]


def test_duplicate_columns_named_in_release(release, inside):
    dataset = inside(release / "out" / "ann")
    frame = pd.DataFrame([["smb", "smb", 1]], columns=["segment", "segment", "n"])

    _, result = judge("q0.arr_by_segment", frame, db_path=dataset)

    assert result.outcome is Outcome.INCORRECT
    assert "Columns named twice: segment" in result.text()


def test_hints_do_not_point_to_solutions_in_release(release, inside, capsys):
    from kit import hint

    inside(release / "out" / "ann")
    for _ in range(6):
        hint("q0.active_merchants")

    assert "solution(" not in capsys.readouterr().out
