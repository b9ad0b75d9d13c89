"""The health score's inputs, the weight panel's computing function and rows()."""

import pandas as pd
import pytest

from kit import db, health, rows
from kit.health_panel import PanelError, panel_view
from kit.reference import solution_namespace
from kit.registry import load_registry


@pytest.fixture(scope="module")
def scoring(default_dataset):
    """The reference health_score and the inputs it scores, on the dataset."""
    exercise = load_registry().get("q3.health_score")
    names = solution_namespace(exercise, db.connect(default_dataset))
    return names["health_score"], health.inputs(names["con"])


def test_inputs_cover_every_active_merchant(default_dataset):
    con = db.connect(default_dataset)
    active = con.sql(
        "SELECT COUNT(DISTINCT merchant_id) FROM merchant_contracts "
        "WHERE contract_status = 'active'"
    ).fetchall()[0][0]

    frame = health.inputs(con)

    assert len(frame) == active
    assert frame["merchant_id"].is_unique
    assert set(health.WEIGHTS) <= set(frame.columns)
    assert frame["nps"].isna().any(), "some merchants should have no NPS response"


def test_inputs_see_only_the_past(default_dataset):
    """An invoice paid after the point date counts as unpaid on that day."""
    con = db.connect(default_dataset)
    late = con.sql(
        "SELECT merchant_id, due_date, paid_date FROM invoices "
        "WHERE paid_date > due_date + 20 ORDER BY invoice_id LIMIT 1"
    ).df()
    merchant, due = int(late["merchant_id"][0]), late["due_date"][0]
    points = pd.DataFrame({"merchant_id": [merchant], "point_date": [due]})
    day_after = points.assign(point_date=due + pd.Timedelta(days=1))

    before = health.inputs(con, points)["days_late"][0]
    after = health.inputs(con, day_after)["days_late"][0]

    # On the due date the invoice is not yet past due; a day later it is
    # one day late, whenever it was paid in the end.
    assert pd.isna(before) or before < after


def test_inputs_days_late_missing_without_invoices(default_dataset):
    """No invoice due in the window is a missing input, not a punctual payer."""
    con = db.connect(default_dataset)
    first_due = con.sql(
        "SELECT merchant_id, MIN(due_date) AS point_date FROM invoices "
        "GROUP BY merchant_id ORDER BY point_date DESC LIMIT 1"
    ).df()

    frame = health.inputs(con, first_due)

    assert frame["days_late"].isna().all(), frame.to_dict("records")


def test_inputs_reject_points_without_a_date(default_dataset):
    with pytest.raises(ValueError, match="point_date"):
        health.inputs(db.connect(default_dataset), pd.DataFrame({"merchant_id": [1]}))


def test_panel_counts_every_merchant(scoring):
    score, inputs = scoring

    view = panel_view(inputs, health.WEIGHTS, score, inputs["merchant_id"])

    assert sum(view.band_counts.values()) == len(inputs)
    assert (view.conflicted["band"] == "red").all()
    assert len(view.conflicted) == view.band_counts["red"]


def test_panel_conflicted_list_follows_the_weights(scoring):
    score, inputs = scoring
    watch = inputs.loc[inputs["session_trend"] < 0.6, "merchant_id"]
    usage_heavy = dict.fromkeys(health.WEIGHTS, 5) | {"session_trend": 50}
    revenue_heavy = dict.fromkeys(health.WEIGHTS, 5) | {"arr_change": 50}

    usage = panel_view(inputs, usage_heavy, score, watch)
    revenue = panel_view(inputs, revenue_heavy, score, watch)

    assert set(usage.conflicted["merchant_id"]) <= set(watch)
    assert len(usage.conflicted) > len(revenue.conflicted)


def test_panel_refuses_all_zero_weights(scoring):
    score, inputs = scoring

    with pytest.raises(PanelError, match="every weight is 0"):
        panel_view(inputs, dict.fromkeys(health.WEIGHTS, 0), score, [])


@pytest.mark.parametrize(
    ("unfinished", "message"),
    [
        (lambda inputs, weights: None, "returned NoneType, not a DataFrame"),
        (lambda inputs, weights: inputs[["merchant_id"]], "lacks health_score, band"),
    ],
)
def test_panel_explains_an_unfinished_score(scoring, unfinished, message):
    _, inputs = scoring

    with pytest.raises(PanelError, match=message):
        panel_view(inputs, health.WEIGHTS, unfinished, [])


def test_rows_runs_a_query(default_dataset):
    frame = rows("SELECT 1 AS one", db_path=default_dataset)

    assert frame["one"].tolist() == [1]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("\n-- Write your query here.\n", "not written yet"),
        ("SELECT no_such_column FROM merchants", "Your query failed"),
    ],
)
def test_rows_explains_instead_of_raising(default_dataset, capsys, sql, message):
    assert rows(sql, db_path=default_dataset) is None
    assert message in capsys.readouterr().out
