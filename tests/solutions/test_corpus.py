"""The wrong-answer corpus: real queries, each with the verdict it must get.

Every file in tests/answers/<exercise id>/ starts with `-- expect: correct`
or `-- expect: <mistake id>`. A correct file must pass on every dataset. A
wrong one must fail on every dataset with a diagnostic that names the
mistake, so a planted trap that stops catching its mistake fails here.
"""

from pathlib import Path

import pytest

from kit.checking import judge
from kit.verdict import Outcome

ANSWERS = Path(__file__).resolve().parent.parent / "answers"
DATASETS = [(1, 300), (2, 300), (3, 300), (42, 300), (42, 1000)]


def corpus_files():
    return sorted(ANSWERS.glob("*/*.sql"))


def expectation(path: Path) -> str:
    first_line = path.read_text().splitlines()[0]
    assert first_line.startswith("-- expect: "), f"{path.name} has no expect line"
    return first_line.removeprefix("-- expect: ").strip()


@pytest.mark.parametrize("seed,merchants", DATASETS, ids=lambda v: str(v))
@pytest.mark.parametrize(
    "path", corpus_files(), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_corpus_answer_gets_its_verdict(path, seed, merchants, make_dataset):
    dataset = make_dataset(seed=seed, merchants=merchants)
    exercise_id = path.parent.name
    expected = expectation(path)

    found, result = judge(exercise_id, path.read_text(), db_path=dataset)

    assert found
    if expected == "correct":
        assert result.outcome is Outcome.CORRECT, result.text()
    else:
        assert result.outcome is not Outcome.CORRECT, result.text()
        assert expected in result.mistakes, result.text()


def test_corpus_covers_every_listed_mistake():
    expected = {expectation(path) for path in corpus_files()}
    listed = {
        "window_function_in_where",
        "grouped_by_renewal_date",
        "no_baseline_as_healthy",
        "ties_dropped_at_cutoff",
        "dense_rank_at_cutoff",
        "count_star_duplicates",
        "no_status_filter",
        "wall_clock_date",
        "window_bounds_off_by_one",
        "left_join_filtered_to_inner",
    }
    assert listed <= expected, listed - expected
    assert "correct" in expected
