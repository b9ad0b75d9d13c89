"""Each catalogue entry's message, shown for a minimal wrong answer on a real dataset.

Every case changes one thing in a reference solution or result, the way a
candidate would get it wrong, and checks that the verdict names the mistake
with the catalogue's message.
"""

import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from kit import db, paths
from kit.catalogue import load_catalogue
from kit.checking import judge
from kit.reference import clear_cache, reference_answer
from kit.registry import load_registry
from kit.verdict import Outcome

CORPUS = Path(__file__).resolve().parent.parent / "answers"


def solution_with(exercise_id: str, *replacements: tuple[str, str]):
    """Return a maker of the exercise's SQL solution with ``replacements`` made."""

    def make(dataset: Path) -> str:
        text = load_registry().get(exercise_id).solution_path.read_text()
        for old, new in replacements:
            assert old in text, f"{exercise_id}: {old!r} is not in the solution"
            text = text.replace(old, new)
        return text

    return make


def corpus(name: str):
    return lambda dataset: (CORPUS / name).read_text()


def value(answer):
    return lambda dataset: answer


def reference_with(exercise_id: str, change):
    """Return a maker of the exercise's reference result with ``change`` applied."""

    def make(dataset: Path):
        exercise = load_registry().get(exercise_id)
        answer = reference_answer(exercise, dataset)
        answer = answer.copy() if hasattr(answer, "copy") else answer
        return change(answer)

    return make


def metric_set_to(key: str, label: str):
    def change(mapping: dict) -> dict:
        return {**mapping, key: label}

    return change


def scaled(column: str, factor: float = 1.0, shift: float = 0.0):
    def change(frame):
        frame[column] = frame[column] * factor + shift
        return frame

    return change


def causes_relabelled(old: str, new: str):
    def change(frame):
        frame.loc[frame["cause"] == old, "cause"] = new
        return frame

    return change


def other_choice(exercise_id: str):
    def make(dataset: Path) -> str:
        exercise = load_registry().get(exercise_id)
        expected = reference_answer(exercise, dataset)
        return next(choice for choice in exercise.choices if choice != expected)

    return make


SESSIONS = "q2.sessions_per_window"
TOP100 = "q2.top100_cte"
ARR_SUM = "SUM(c.arr_value) AS total_arr"
RANK_SQL = "RANK() OVER (PARTITION BY m.segment ORDER BY SUM(c.arr_value) DESC)"

# entry id, exercise, maker of the wrong answer, the mistake id reported.
CASES = [
    (
        "window_function_in_where",
        TOP100,
        solution_with(
            TOP100,
            ("FROM ranked\nWHERE arr_rank <= 100", "FROM ranked"),
            (
                "FROM active_arr\n)",
                "FROM active_arr\n"
                "    WHERE RANK() OVER (ORDER BY total_arr DESC) <= 100\n)",
            ),
        ),
        "window_function_in_where",
    ),
    (
        "division_by_zero",
        "q2.usage_drop_flag",
        solution_with(
            "q2.usage_drop_flag",
            ("NULLIF(previous_sessions, 0)", "previous_sessions"),
        ),
        "division_by_zero",
    ),
    (
        "grouped_by_renewal_date",
        "q2.at_risk_top100",
        corpus("q2.at_risk_top100/wrong-group-by-renewal-date.sql"),
        "grouped_by_renewal_date",
    ),
    (
        "no_baseline_as_healthy",
        "q2.at_risk_top100",
        corpus("q2.at_risk_top100/wrong-no-baseline-healthy.sql"),
        "no_baseline_as_healthy",
    ),
    (
        "ties_dropped_at_cutoff",
        TOP100,
        solution_with(TOP100, ("RANK()", "ROW_NUMBER()")),
        "ties_dropped_at_cutoff",
    ),
    (
        "dense_rank_at_cutoff",
        TOP100,
        solution_with(TOP100, ("RANK()", "DENSE_RANK()")),
        "dense_rank_at_cutoff",
    ),
    (
        "count_star_duplicates",
        SESSIONS,
        solution_with(SESSIONS, ("COUNT(DISTINCT session_id)", "COUNT(*)")),
        "count_star_duplicates",
    ),
    (
        "no_status_filter",
        "q0.arr_by_segment",
        solution_with(
            "q0.arr_by_segment", ("WHERE c.contract_status = 'active'\n", "")
        ),
        "no_status_filter",
    ),
    (
        "wall_clock_date",
        SESSIONS,
        solution_with(SESSIONS, ("as_of_date()", "CURRENT_DATE")),
        "wall_clock_date",
    ),
    (
        "window_bounds_off_by_one",
        SESSIONS,
        solution_with(
            SESSIONS,
            ("session_date >= as_of_date() - 30", "session_date > as_of_date() - 30"),
        ),
        "window_bounds_off_by_one",
    ),
    (
        "left_join_filtered_to_inner",
        "q2.at_risk_top100",
        corpus("q2.at_risk_top100/wrong-left-join-where.sql"),
        "left_join_filtered_to_inner",
    ),
    (
        "qualify_alias_shadows_column",
        "q2.top_per_segment",
        solution_with(
            "q2.top_per_segment",
            (ARR_SUM, "SUM(c.arr_value) AS arr_value"),
            (RANK_SQL, "RANK() OVER (PARTITION BY m.segment ORDER BY arr_value DESC)"),
        ),
        "qualify_alias_shadows_column",
    ),
    (
        "counts_null_not_zero",
        SESSIONS,
        solution_with(
            SESSIONS,
            ("COALESCE(l.sessions, 0)", "l.sessions"),
            ("COALESCE(p.sessions, 0)", "p.sessions"),
        ),
        "counts_null_not_zero",
    ),
    (
        "counted_contracts",
        "q0.active_merchants",
        value(
            "SELECT COUNT(merchant_id) FROM merchant_contracts "
            "WHERE contract_status = 'active'"
        ),
        "counted_contracts",
    ),
    (
        "grr_capped_on_total",
        "q1.retention_by_segment",
        corpus("q1.retention_by_segment/wrong-grr-capped-on-total.sql"),
        "grr_capped_on_total",
    ),
    (
        "new_customers_counted",
        "q1.retention_by_segment",
        solution_with("q1.retention_by_segment", ("    WHERE a.start_arr > 0\n", "")),
        "new_customers_counted",
    ),
    (
        "revenue_frame_for_usage",
        "q0.who_asks",
        reference_with(
            "q0.who_asks",
            metric_set_to("Which accounts stopped using invoicing?", "am"),
        ),
        "revenue_frame_for_usage",
    ),
    (
        "usage_frame_for_revenue",
        "q1.audience_renewal_calendar",
        value("csm"),
        "usage_frame_for_revenue",
    ),
    (
        "lagging_taken_as_leading",
        "q1.metric_timing",
        reference_with("q1.metric_timing", metric_set_to("ARR", "leading")),
        "lagging_taken_as_leading",
    ),
    (
        "leading_taken_as_lagging",
        "q1.metric_timing",
        reference_with("q1.metric_timing", metric_set_to("NPS", "lagging")),
        "leading_taken_as_lagging",
    ),
    (
        "missing_as_zero",
        "q3.component_auc",
        reference_with("q3.component_auc", scaled("renewed", shift=20)),
        "missing_inputs_kept",
    ),
    (
        "unweighted_comparison",
        "q5.drop_driver",
        other_choice("q5.drop_driver"),
        "not_the_largest_contribution",
    ),
    (
        "look_ahead_inputs",
        "q4.scores_at_renewal",
        reference_with("q4.scores_at_renewal", scaled("health_score", shift=5)),
        "scored_today",
    ),
    (
        "fraction_not_percent",
        "q4.band_calibration",
        reference_with("q4.band_calibration", scaled("renewal_rate_pct", 0.01)),
        "rate_not_percent",
    ),
    (
        "penalised_fit",
        "q4.logit_fit",
        reference_with(
            "q4.logit_fit", lambda fit: {**fit, "slope": fit["slope"] * 0.5}
        ),
        "penalised_or_unscaled",
    ),
    (
        "group_rate_for_individual",
        "q4.renewal_outlook",
        reference_with("q4.renewal_outlook", scaled("renewal_probability", 0.5, 0.1)),
        "band_rate_used",
    ),
    (
        "measurement_taken_as_behaviour",
        "q5.drop_causes",
        reference_with(
            "q5.drop_causes",
            causes_relabelled("tracking_break", "real_disengagement"),
        ),
        "break_taken_as_disengagement",
    ),
    (
        "prior_over_evidence",
        "q3.weight_advice",
        value("features"),
        "against_the_history",
    ),
    (
        "evaluation_order_misread",
        "q2.window_in_where",
        value("rank_needs_partition"),
        "partition_not_the_cause",
    ),
]


@pytest.fixture
def dataset(default_dataset):
    yield default_dataset
    db.close_all()
    clear_cache()


def test_every_entry_has_a_case():
    assert {case[0] for case in CASES} == set(load_catalogue())


@pytest.mark.parametrize(
    "entry_id,exercise_id,make_answer,mistake", CASES, ids=[c[0] for c in CASES]
)
def test_entry_message_shown(entry_id, exercise_id, make_answer, mistake, dataset):
    entry = load_catalogue()[entry_id]
    answer = make_answer(dataset)

    found, result = judge(exercise_id, answer, db_path=dataset)

    assert found
    assert result.outcome is not Outcome.CORRECT, result.text()
    assert mistake in result.mistakes, result.text()
    assert entry.message in " ".join(result.text().split()), result.text()


def test_refined_entry_puts_detail_first(dataset):
    """The exercise's own words come first, then the catalogue's message."""
    entry = load_catalogue()["no_status_filter"]
    answer = solution_with(
        "q0.arr_by_segment", ("WHERE c.contract_status = 'active'\n", "")
    )(dataset)

    _, result = judge("q0.arr_by_segment", answer, db_path=dataset)

    line = next(
        line for line in result.details if line.startswith("Likely mistake: total_arr")
    )
    assert line == f"Likely mistake: total_arr is too high. {entry.message}"


def test_kit_data_files_are_package_data():
    """Every YAML and SQL file the kit reads at run time is installed with it."""
    pyproject = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["kit"]
    kit_folder = paths.PROJECT_ROOT / "kit"
    data_files = sorted(
        path.name for path in kit_folder.iterdir() if path.suffix in {".yaml", ".sql"}
    )

    assert "catalogue.yaml" in data_files
    for name in data_files:
        assert any(fnmatch(name, pattern) for pattern in patterns), name
