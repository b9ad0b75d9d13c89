"""Precision and recall per class, and the compare.labels registry field."""

import pandas as pd
import pytest
import yaml
from kit_project import REGISTRY

from kit.compare_labels import class_lines, class_scores
from kit.errors import RegistryError
from kit.registry import load_registry

REFERENCE = pd.DataFrame(
    {
        "merchant_id": [1, 2, 3, 4, 5, 6],
        "cause": ["a", "a", "b", "b", "b", "c"],
    }
)


def scores_by_label(got: pd.DataFrame) -> dict:
    scores = class_scores(REFERENCE, got, ["merchant_id"], "cause")
    return {score.label: score for score in scores}


def test_perfect_answer_scores_one():
    scores = scores_by_label(REFERENCE)

    assert set(scores) == {"a", "b", "c"}
    for score in scores.values():
        assert score.precision == 1.0
        assert score.recall == 1.0


def test_wrong_label_costs_precision_and_recall():
    got = REFERENCE.assign(cause=["a", "b", "b", "b", "b", "c"])

    scores = scores_by_label(got)

    assert (scores["a"].correct, scores["a"].predicted, scores["a"].actual) == (1, 1, 2)
    assert (scores["b"].correct, scores["b"].predicted, scores["b"].actual) == (3, 4, 3)
    assert scores["a"].recall == 0.5
    assert scores["b"].precision == 0.75


def test_missing_row_counts_as_not_found():
    scores = scores_by_label(REFERENCE[REFERENCE["merchant_id"] != 6])

    assert scores["c"].recall == 0.0
    assert scores["c"].precision is None


def test_extra_row_counts_against_precision():
    extra = pd.DataFrame({"merchant_id": [99], "cause": ["a"]})

    scores = scores_by_label(pd.concat([REFERENCE, extra]))

    assert scores["a"].precision == pytest.approx(2 / 3)
    assert scores["a"].recall == 1.0


def test_labels_ignore_case_and_blanks():
    got = REFERENCE.assign(cause=[" A", "a ", "B", "b", "b", "C"])

    scores = scores_by_label(got)

    assert all(score.precision == 1.0 for score in scores.values())


def test_keys_match_across_number_types():
    got = REFERENCE.assign(merchant_id=REFERENCE["merchant_id"].astype("float64"))

    scores = scores_by_label(got)

    assert all(score.recall == 1.0 for score in scores.values())


def test_column_names_ignore_case():
    got = REFERENCE.rename(columns={"cause": "CAUSE", "merchant_id": "Merchant_ID"})

    scores = scores_by_label(got)

    assert all(score.recall == 1.0 for score in scores.values())


def test_no_scores_without_label_column():
    assert (
        class_scores(REFERENCE, REFERENCE[["merchant_id"]], ["merchant_id"], "cause")
        is None
    )
    assert (
        class_lines(REFERENCE, REFERENCE[["merchant_id"]], ["merchant_id"], "cause")
        == []
    )


def test_lines_show_counts_per_class():
    got = REFERENCE.assign(cause=["a", "b", "b", "b", "b", "c"])

    lines = class_lines(REFERENCE, got, ["merchant_id"], "cause")

    assert lines[0].startswith("Per cause, precision")
    assert "    a: precision 1/1 (100%), recall 1/2 (50%)" in lines
    assert "    b: precision 3/4 (75%), recall 3/3 (100%)" in lines


def test_lines_name_unknown_labels():
    got = REFERENCE.assign(cause=["a", "a", "b", "b", "b", "departure"])

    lines = class_lines(REFERENCE, got, ["merchant_id"], "cause")

    assert "    c: precision none labelled, recall 0/1 (0%)" in lines
    assert lines[-1] == (
        "Labels that are not classes here: departure; use one of a, b, c."
    )


def write_registry(project, change):
    exercises = yaml.safe_load(REGISTRY)["exercises"]
    change(exercises[0]["compare"])
    path = project / "exercises.yaml"
    path.write_text(yaml.safe_dump({"exercises": exercises}), encoding="utf-8")
    return path


def test_labels_field_loads(project):
    path = write_registry(project, lambda compare: compare.update(labels="Health_Flag"))

    exercise = load_registry(path).get("q2.top_arr")

    assert exercise.compare.labels == "health_flag"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (3, "field `compare.labels` 3 is not a column name"),
        ("", "field `compare.labels` '' is not a column name"),
        ("merchant_id", "field `compare.labels` names the key column"),
    ],
)
def test_invalid_labels_rejected(project, labels, expected):
    path = write_registry(project, lambda compare: compare.update(labels=labels))

    with pytest.raises(RegistryError, match=expected):
        load_registry(path)


def test_labels_rejected_for_values(project):
    exercises = yaml.safe_load(REGISTRY)["exercises"]
    number = next(e for e in exercises if e["answer"] == "number")
    number["compare"] = {"labels": "cause"}
    path = project / "exercises.yaml"
    path.write_text(yaml.safe_dump({"exercises": exercises}), encoding="utf-8")

    with pytest.raises(RegistryError, match="does not apply to answer: number"):
        load_registry(path)
