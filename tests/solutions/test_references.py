"""Every reference solution runs on several seeds and passes its own check."""

from pathlib import Path

import duckdb
import pytest

from kit import db, paths
from kit.checking import judge
from kit.reference import reference_answer, solution_namespace
from kit.registry import load_registry
from kit.verdict import Outcome

DATASETS = [(1, 300), (2, 300), (3, 300), (42, 1000)]
EXERCISES = [exercise.id for exercise in load_registry()]


def solution_answer(exercise, dataset):
    """Return the solution as a candidate would submit it."""
    source = Path(paths.solutions_dir(), exercise.solution)
    if source.suffix == ".sql":
        return source.read_text()
    return solution_namespace(exercise, db.connect(dataset))["answer"]


@pytest.mark.parametrize("seed,merchants", DATASETS, ids=lambda v: str(v))
@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_reference_passes(exercise_id, seed, merchants, make_dataset):
    dataset = make_dataset(seed=seed, merchants=merchants)
    exercise = load_registry().get(exercise_id)

    expected = reference_answer(exercise, dataset)
    found, result = judge(
        exercise_id, solution_answer(exercise, dataset), db_path=dataset
    )

    assert found
    assert result.outcome is Outcome.CORRECT, result.text()
    assert len(expected) > 0, f"{exercise_id} has an empty reference"


@pytest.mark.parametrize("seed,merchants", DATASETS, ids=lambda v: str(v))
def test_at_risk_list_holds_every_case(seed, merchants, make_dataset):
    dataset = make_dataset(seed=seed, merchants=merchants)
    exercise = load_registry().get("q2.at_risk_top100")

    frame = reference_answer(exercise, dataset)

    assert len(frame) > 100, "the ARR tie at place 100 should keep extra rows"
    assert frame["merchant_id"].is_unique
    flags = set(frame["health_flag"])
    assert flags == {"High Risk", "Medium Risk", "Healthy", "No Baseline"}
    assert (frame["sessions_last_30d"] == 0).any(), "no gone-dark merchant"
    changes = set(frame["session_change_pct"].dropna())
    assert -40.0 in changes, "no merchant on the High/Medium Risk bound"
    assert -15.0 in changes, "no merchant on the Medium Risk/Healthy bound"


def test_blank_answers_are_not_attempted(default_dataset):
    for exercise in load_registry():
        placeholder = {"sql": "\n-- Write your query here.\n"}.get(exercise.answer)
        found, result = judge(exercise.id, placeholder, db_path=default_dataset)
        assert result.outcome is Outcome.NOT_ATTEMPTED, result.text()


def planted_merchants(dataset: Path, scenario: str) -> set[int]:
    with duckdb.connect(str(paths.answers_path(dataset)), read_only=True) as key:
        rows = key.sql(
            "SELECT merchant_id FROM planted WHERE scenario = ?", params=[scenario]
        ).fetchall()
    return {merchant_id for (merchant_id,) in rows}


@pytest.mark.parametrize("seed,merchants", DATASETS, ids=lambda v: str(v))
def test_upsell_list_finds_planted_merchants(seed, merchants, make_dataset):
    dataset = make_dataset(seed=seed, merchants=merchants)
    exercise = load_registry().get("q1.upsell_list")

    found = set(reference_answer(exercise, dataset).iloc[:, 0])

    planted = planted_merchants(dataset, "expansion_ready")
    assert planted, "no expansion_ready merchants planted"
    assert planted <= found, planted - found
    assert len(found - planted) <= 2, found - planted


@pytest.mark.parametrize("seed,merchants", DATASETS, ids=lambda v: str(v))
def test_conflict_cohort_is_the_planted_drop(seed, merchants, make_dataset):
    dataset = make_dataset(seed=seed, merchants=merchants)
    exercise = load_registry().get("q3.conflict_cohort")

    found = set(reference_answer(exercise, dataset)["merchant_id"])

    planted = planted_merchants(dataset, "renewal_usage_drop")
    assert planted, "no renewal_usage_drop merchants planted"
    assert found == planted, f"extra {found - planted}, missed {planted - found}"


@pytest.mark.parametrize("seed,merchants", DATASETS, ids=lambda v: str(v))
def test_session_trend_outweighs_breadth(seed, merchants, make_dataset):
    """The weighting advice rests on a gap that holds on every test seed."""
    dataset = make_dataset(seed=seed, merchants=merchants)
    exercise = load_registry().get("q3.component_auc")

    auc = reference_answer(exercise, dataset).set_index("component")["auc"]

    assert auc["session_trend"] - auc["adoption_breadth"] >= 0.05, auc.to_dict()
    assert auc["session_trend"] >= 0.65, auc.to_dict()
    assert abs(auc["arr_change"] - 0.5) < 0.15, auc.to_dict()
