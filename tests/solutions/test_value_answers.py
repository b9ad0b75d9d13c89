"""Wrong answers to the exercises that take a value, not a query.

Each case is a plausible slip with the mistake id its diagnostic must name.
The SQL exercises keep their wrong answers as files in tests/answers/.
"""

import runpy

import pytest

from kit import paths
from kit.checking import judge
from kit.verdict import Outcome


def metric_answer(exercise: str, metric: str, value: str) -> dict:
    answer = dict(runpy.run_path(str(paths.solutions_dir() / exercise))["answer"])
    answer[metric] = value
    return answer


CASES = [
    ("q0.active_merchants", 10**6, "counted_contracts"),
    ("q1.audience_usage_alerts", "am", "revenue_frame_for_usage"),
    ("q1.audience_renewal_calendar", "csm", "usage_frame_for_revenue"),
    ("q2.window_in_where", "rank_needs_partition", "partition_not_the_cause"),
    ("q2.window_in_where", "current_date_unsupported", "current_date_not_the_cause"),
    ("q2.window_in_where", "cte_cannot_be_ranked", "cte_not_the_cause"),
    (
        "q1.metric_owner",
        metric_answer("q1/metric_owner.py", "gross revenue retention", "am"),
        "grr_given_to_am",
    ),
    (
        "q1.metric_owner",
        metric_answer("q1/metric_owner.py", "invoice days late", "csm"),
        "payment_lateness_given_to_csm",
    ),
    (
        "q1.metric_timing",
        metric_answer("q1/metric_timing.py", "renewal date", "lagging"),
        "renewal_date_called_lagging",
    ),
    (
        "q1.metric_timing",
        metric_answer("q1/metric_timing.py", "net revenue retention", "leading"),
        "retention_called_leading",
    ),
]


@pytest.mark.parametrize(
    "exercise_id,answer,mistake", CASES, ids=[case[2] for case in CASES]
)
def test_wrong_value_names_mistake(exercise_id, answer, mistake, default_dataset):
    found, result = judge(exercise_id, answer, db_path=default_dataset)

    assert found
    assert result.outcome is Outcome.INCORRECT, result.text()
    assert mistake in result.mistakes, result.text()


def test_wrong_mapping_item_named(default_dataset):
    answer = metric_answer("q0/who_asks.py", "Where can we sell more seats?", "csm")

    _, result = judge("q0.who_asks", answer, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT
    assert "'Where can we sell more seats?' (you gave 'csm')" in result.text()


def test_wrong_ids_named(default_dataset):
    _, result = judge("q2.no_baseline", [0, -1], db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT
    assert "Unexpected ids (2)" in result.text(), result.text()
    assert "Missing ids" in result.text(), result.text()
