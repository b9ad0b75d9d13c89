"""Wrong answers to the exercises that take a value, not a query.

Each case is a plausible slip with the mistake id its diagnostic must name.
A wrong key of a mapping is explained by the exercise's item notes instead.
The SQL exercises keep their wrong answers as files in tests/answers/.
"""

import runpy

import pandas as pd
import pytest

from kit import db, health, paths
from kit.checking import judge
from kit.normalize import show
from kit.reference import solution_namespace
from kit.registry import load_registry
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
    ("q3.whose_call", "am", "renewal_taken_as_health"),
    ("q3.whose_call", "csm", "renewal_dismissed"),
    ("q3.weight_advice", "features", "against_the_history"),
    ("q3.weight_advice", "equal", "gap_ignored"),
    ("q2.window_in_where", "current_date_unsupported", "current_date_not_the_cause"),
    ("q2.window_in_where", "cte_cannot_be_ranked", "cte_not_the_cause"),
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


def reference_names(exercise_id: str, dataset) -> dict:
    """Return the names the solution of ``exercise_id`` defines on ``dataset``."""
    exercise = load_registry().get(exercise_id)
    return solution_namespace(exercise, db.connect(dataset))


def lower_scores_for_missing_inputs(names: dict):
    """Score a missing input as 0 points instead of leaving it out."""
    inputs = health.inputs(names["con"])
    for component in health.COMPONENTS:
        inputs[component.name] = inputs[component.name].fillna(component.floor)
    return names["health_score"](inputs, health.WEIGHTS)


def nan_for_missing_inputs(names: dict):
    """Let a missing input make the whole score NaN."""
    inputs = health.inputs(names["con"])
    scores = names["health_score"](inputs, health.WEIGHTS)
    incomplete = inputs[list(health.WEIGHTS)].isna().any(axis=1)
    scores.loc[incomplete, "health_score"] = float("nan")
    return scores


def flipped_auc(names: dict):
    """Rank tickets and days_late the wrong way round."""
    table = names["auc_table"].copy()
    wrong_way = table["component"].isin(["tickets", "days_late"])
    table.loc[wrong_way, "auc"] = 1 - table.loc[wrong_way, "auc"]
    return table


def kept_missing_inputs(names: dict):
    """Count the rows without an NPS response, as if filled in."""
    table = names["auc_table"].copy()
    nps = table["component"] == "nps"
    table.loc[nps, "renewed"] += 20
    table.loc[nps, "auc"] -= 0.02
    return table


def billed_a_day_late(names: dict):
    frame = names["answer"].copy()
    frame["next_billing_date"] = frame["next_billing_date"] + pd.Timedelta(days=1)
    return frame


def green_merchant_added(names: dict):
    scores = names["scores"]
    green = scores.loc[scores["band"] == "green", ["merchant_id"]].head(1)
    extra = green.assign(next_billing_date=names["answer"]["next_billing_date"].max())
    return pd.concat([names["answer"], extra], ignore_index=True)


DERIVED_CASES = [
    ("q3.health_score", lower_scores_for_missing_inputs, "missing_as_zero"),
    ("q3.health_score", nan_for_missing_inputs, "nan_scores"),
    ("q3.component_auc", flipped_auc, "orientation"),
    ("q3.component_auc", kept_missing_inputs, "missing_inputs_kept"),
    ("q3.contact_list", billed_a_day_late, "billing_date_wrong"),
    ("q3.contact_list", green_merchant_added, "not_red"),
]


@pytest.mark.parametrize(
    "exercise_id,make_wrong,mistake",
    DERIVED_CASES,
    ids=[case[2] for case in DERIVED_CASES],
)
def test_wrong_frame_names_mistake(exercise_id, make_wrong, mistake, default_dataset):
    answer = make_wrong(reference_names(exercise_id, default_dataset))

    found, result = judge(exercise_id, answer, db_path=default_dataset)

    assert found
    assert result.outcome is Outcome.INCORRECT, result.text()
    assert mistake in result.mistakes, result.text()


# Mistakes whose message would mislead for the wrong answer beside them.
MISNAMED_CASES = [
    ("q3.health_score", lower_scores_for_missing_inputs, "band_edges"),
    ("q3.health_score", nan_for_missing_inputs, "band_edges"),
    ("q3.health_score", nan_for_missing_inputs, "missing_as_zero"),
    ("q3.component_auc", flipped_auc, "points_not_inputs"),
    ("q3.component_auc", kept_missing_inputs, "points_not_inputs"),
]


@pytest.mark.parametrize(
    "exercise_id,make_wrong,mistake",
    MISNAMED_CASES,
    ids=[f"{case[1].__name__}-{case[2]}" for case in MISNAMED_CASES],
)
def test_wrong_frame_not_misnamed(exercise_id, make_wrong, mistake, default_dataset):
    answer = make_wrong(reference_names(exercise_id, default_dataset))

    _, result = judge(exercise_id, answer, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT, result.text()
    assert mistake not in result.mistakes, result.text()


def test_band_edges_named(default_dataset):
    names = reference_names("q3.health_score", default_dataset)
    answer = names["answer"].copy()
    # Band the yellow merchant closest to the edge at 50 with the red ones.
    yellow = answer[answer["band"] == "yellow"]
    edge = yellow["health_score"].idxmin()
    assert yellow["health_score"].min() < 50.5, yellow["health_score"].min()
    answer.loc[edge, "band"] = "red"

    _, result = judge("q3.health_score", answer, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT
    assert "band_edges" in result.mistakes, result.text()
    assert "missing_as_zero" not in result.mistakes, result.text()


MAPPING_EXERCISES = ["q0.who_asks", "q1.metric_timing", "q1.metric_owner"]


def solution_mapping(exercise_id: str) -> dict:
    solution = load_registry().get(exercise_id).solution_path
    return dict(runpy.run_path(str(solution))["answer"])


def with_flipped(solution: dict, keys) -> dict:
    """Return the solution with the value of each of ``keys`` swapped for the other.

    Every mapping exercise has two values, so the other value is the wrong one.
    """
    values = sorted(set(solution.values()))
    assert len(values) == 2, values
    answer = dict(solution)
    for key in keys:
        answer[key] = values[1] if solution[key] == values[0] else values[0]
    return answer


def note_line(key: str, value: str, note: str) -> str:
    return f"    {show(key)} (you gave {show(value)}): {note}"


@pytest.mark.parametrize("exercise_id", MAPPING_EXERCISES)
def test_mapping_notes_cover_every_item(exercise_id):
    notes = load_registry().get(exercise_id).item_notes

    assert set(notes) == set(solution_mapping(exercise_id))


@pytest.mark.parametrize("exercise_id", MAPPING_EXERCISES)
def test_all_wrong_items_show_notes(exercise_id, default_dataset):
    notes = load_registry().get(exercise_id).item_notes
    solution = solution_mapping(exercise_id)
    answer = with_flipped(solution, solution)

    _, result = judge(exercise_id, answer, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT
    assert f"Wrong values ({len(solution)}):" in result.details
    for key, value in answer.items():
        assert note_line(key, value, notes[key]) in result.details, result.text()


@pytest.mark.parametrize("exercise_id", MAPPING_EXERCISES)
def test_one_wrong_item_shows_one_note(exercise_id, default_dataset):
    notes = load_registry().get(exercise_id).item_notes
    solution = solution_mapping(exercise_id)
    for key in solution:
        answer = with_flipped(solution, [key])

        _, result = judge(exercise_id, answer, db_path=default_dataset)

        text = result.text()
        assert result.outcome is Outcome.INCORRECT, text
        assert result.details[0] == "Wrong values (1):", text
        assert note_line(key, answer[key], notes[key]) in result.details, text
        assert text.count(notes[key]) == 1, text
        for other, note in notes.items():
            if other != key:
                assert note not in text, f"{other}'s note in: {text}"


@pytest.mark.parametrize("exercise_id", MAPPING_EXERCISES)
def test_correct_mapping_shows_no_notes(exercise_id, default_dataset):
    notes = load_registry().get(exercise_id).item_notes

    _, result = judge(
        exercise_id, solution_mapping(exercise_id), db_path=default_dataset
    )

    assert result.correct, result.text()
    for note in notes.values():
        assert note not in result.text()


def scored_today(names: dict):
    """Score each past renewal with today's inputs."""
    frame = names["answer"].copy()
    today = names["health_score"](health.inputs(names["con"]), health.WEIGHTS)
    now = today.set_index("merchant_id")["health_score"]
    frame["health_score"] = frame["merchant_id"].map(now)
    return frame


def total_as_band_count(names: dict):
    frame = names["answer"].copy()
    frame["renewals"] = frame["renewals"].sum()
    frame["renewal_rate_pct"] = 100 * frame["renewed"] / frame["renewals"]
    return frame


def rate_as_share(names: dict):
    frame = names["answer"].copy()
    frame["renewal_rate_pct"] = frame["renewal_rate_pct"] / 100
    return frame


def fit_without_constant(names: dict):
    scored = names["at_renewal"].dropna(subset=["health_score"])
    fit = names["sm"].Logit(scored["renewed"].astype(float), scored[["health_score"]])
    return {"intercept": 0.0, "slope": float(fit.fit(disp=0).params["health_score"])}


def shrunk_slope(names: dict):
    """A penalised fit pulls the slope towards 0."""
    return dict(names["answer"], slope=names["answer"]["slope"] * 0.8)


def band_rates_as_chances(names: dict):
    frame = names["answer"].copy()
    scored = names["at_renewal"].dropna(subset=["health_score"])
    rates = scored.groupby("band")["renewed"].mean()
    frame["renewal_probability"] = frame["band"].map(rates)
    return frame


def safest_account(names: dict):
    safest = names["outlook"].dropna(subset=["renewal_probability"]).iloc[-1]
    return dict(names["answer"], account=int(safest["merchant_id"]))


def other_driver(names: dict):
    others = [c.name for c in health.COMPONENTS if c.name != names["answer"]["driver"]]
    return dict(names["answer"], driver=others[0])


Q4_CASES = [
    ("q4.scores_at_renewal", scored_today, "scored_today"),
    ("q4.band_calibration", total_as_band_count, "total_not_per_band"),
    ("q4.band_calibration", rate_as_share, "rate_not_percent"),
    ("q4.logit_fit", fit_without_constant, "no_constant"),
    ("q4.logit_fit", shrunk_slope, "penalised_or_unscaled"),
    ("q4.renewal_outlook", band_rates_as_chances, "band_rate_used"),
    ("q4.am_brief", safest_account, "wrong_account"),
    ("q4.am_brief", other_driver, "wrong_driver"),
]


@pytest.mark.parametrize(
    "exercise_id,make_wrong,mistake", Q4_CASES, ids=[case[2] for case in Q4_CASES]
)
def test_wrong_renewal_work_names_mistake(
    exercise_id, make_wrong, mistake, default_dataset
):
    answer = make_wrong(reference_names(exercise_id, default_dataset))

    found, result = judge(exercise_id, answer, db_path=default_dataset)

    assert found
    assert result.outcome is Outcome.INCORRECT, result.text()
    assert mistake in result.mistakes, result.text()


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("Their usage z-score fell two standard deviations.", "'z-score'"),
        ("The logistic model gives a p-value under 0.05.", "'p-value'"),
        (42, "is int, not text"),
    ],
)
def test_brief_action_screened(action, expected, default_dataset):
    names = reference_names("q4.am_brief", default_dataset)
    answer = dict(names["answer"], action=action)

    _, result = judge("q4.am_brief", answer, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT
    assert expected in result.text(), result.text()


def test_brief_accepts_its_own_words_and_text_dates(default_dataset):
    names = reference_names("q4.am_brief", default_dataset)
    answer = dict(
        names["answer"],
        action="Book a call with their finance lead before the invoice goes out.",
        renewal_date=names["answer"]["renewal_date"].isoformat(),
        act_by=str(names["answer"]["act_by"]),
    )

    _, result = judge("q4.am_brief", answer, db_path=default_dataset)

    assert result.outcome is Outcome.CORRECT, result.text()


def test_contact_list_order_checked(default_dataset):
    names = reference_names("q3.contact_list", default_dataset)
    latest_first = names["answer"].iloc[::-1]

    _, result = judge("q3.contact_list", latest_first, db_path=default_dataset)

    assert result.outcome is Outcome.INCORRECT, result.text()
    assert "Sort by next_billing_date ascending" in result.text(), result.text()
