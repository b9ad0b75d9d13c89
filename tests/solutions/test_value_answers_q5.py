"""Wrong answers to question 5's exercises that take a DataFrame or a choice.

Each case is a plausible slip with the mistake id its diagnostic must name.
The SQL exercises keep their wrong answers as files in tests/answers/, and
tests/solutions/test_drop_causes.py holds the one-rule capstone answers.
"""

import pandas as pd
import pytest

from kit import db, usage_score
from kit.checking import judge
from kit.reference import solution_namespace
from kit.registry import load_registry
from kit.verdict import Outcome


def reference_names(exercise_id: str, dataset) -> dict:
    exercise = load_registry().get(exercise_id)
    return solution_namespace(exercise, db.connect(dataset))


def unweighted(names: dict) -> pd.DataFrame:
    """Report the change in points, not its weighted share of the score."""
    frame = names["decomposition"].copy()
    frame["contribution"] = frame["points_after"] - frame["points_before"]
    return frame


def sign_flipped(names: dict) -> pd.DataFrame:
    frame = names["decomposition"].copy()
    frame["contribution"] = -frame["contribution"]
    return frame


def week_earlier(names: dict) -> pd.DataFrame:
    """Compare with the reading one week before instead of four."""
    history, merchant_id = names["history"], names["merchant_id"]
    own = history[history["merchant_id"] == merchant_id].set_index("reading_date")
    previous = own.loc[own.index.max() - pd.Timedelta(days=7)]
    frame = names["decomposition"].copy()
    frame["points_before"] = [
        previous[f"{name}_points"] for name in usage_score.COMPONENT_NAMES
    ]
    return frame


FRAME_CASES = [
    (unweighted, "unweighted_change"),
    (sign_flipped, "sign_flipped"),
    (week_earlier, "wrong_earlier_reading"),
]


@pytest.mark.parametrize(
    "make_wrong,mistake", FRAME_CASES, ids=[case[1] for case in FRAME_CASES]
)
def test_wrong_decomposition_names_mistake(make_wrong, mistake, default_dataset):
    answer = make_wrong(reference_names("q5.score_decomposition", default_dataset))

    _, result = judge("q5.score_decomposition", answer, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT, result.text()
    assert mistake in result.mistakes, result.text()


def test_decomposition_adds_up_to_the_drop(default_dataset):
    names = reference_names("q5.score_decomposition", default_dataset)
    alert = names["alerts"].iloc[0]

    total = names["decomposition"]["contribution"].sum()

    assert total == pytest.approx(alert["score_after"] - alert["score_before"])


def test_wrong_driver_names_mistake(default_dataset):
    names = reference_names("q5.drop_driver", default_dataset)
    wrong = next(c for c in usage_score.COMPONENT_NAMES if c != names["driver"])

    _, result = judge("q5.drop_driver", wrong, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT, result.text()
    assert "not_the_largest_contribution" in result.mistakes, result.text()


def test_unknown_cause_is_named(default_dataset):
    names = reference_names("q5.drop_causes", default_dataset)
    answer = names["answer"].copy()
    answer.loc[answer.index[0], "cause"] = "churn"

    _, result = judge("q5.drop_causes", answer, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT
    assert any(
        line.startswith("Labels that are not classes here: churn")
        for line in result.details
    ), result.text()


def test_missing_alert_named(default_dataset):
    names = reference_names("q5.drop_causes", default_dataset)
    answer = names["answer"].iloc[1:]

    _, result = judge("q5.drop_causes", answer, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT
    assert "alerts_missing" in result.mistakes, result.text()
