"""The health score's inputs, the weight panel's computing function and rows()."""

import re

import pandas as pd
import pytest

from kit import db, health, rows
from kit.health_panel import PanelError, panel_view, weight_panel
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
    # A merchant's first invoice, so no other invoice shares its window.
    late = con.sql("""
        SELECT i.merchant_id, i.due_date
        FROM invoices i
        WHERE i.paid_date > i.due_date + 20
            AND i.due_date >= as_of_date() - 300
            AND i.due_date = (
                SELECT MIN(due_date) FROM invoices WHERE merchant_id = i.merchant_id
            )
        ORDER BY i.invoice_id
        LIMIT 1
    """).df()
    assert len(late), "no late first invoice in the dataset"
    merchant, due = int(late["merchant_id"][0]), late["due_date"][0]
    points = pd.DataFrame({"merchant_id": [merchant], "point_date": [due]})
    day_after = points.assign(point_date=due + pd.Timedelta(days=1))

    before = health.inputs(con, points)["days_late"][0]
    after = health.inputs(con, day_after)["days_late"][0]

    # On the due date the invoice is not yet past due; a day later it is
    # one day late, whenever it was paid in the end.
    assert pd.isna(before)
    assert after == 1


def test_inputs_days_late_missing_without_invoices(default_dataset):
    """No invoice due in the window is a missing input, not a punctual payer."""
    con = db.connect(default_dataset)
    first_due = con.sql(
        "SELECT merchant_id, MIN(due_date) AS point_date FROM invoices "
        "GROUP BY merchant_id HAVING MIN(due_date) <= as_of_date() "
        "ORDER BY point_date DESC LIMIT 1"
    ).df()

    frame = health.inputs(con, first_due)

    assert frame["days_late"].isna().all(), frame.to_dict("records")


def test_inputs_reject_points_without_a_date(default_dataset):
    with pytest.raises(ValueError, match="point_date"):
        health.inputs(db.connect(default_dataset), pd.DataFrame({"merchant_id": [1]}))


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ({"merchant_id": [99999], "point_date": ["2026-01-01"]}, "99999 not found"),
        (
            {"merchant_id": [None], "point_date": ["2026-01-01"]},
            "merchant_id is missing",
        ),
        ({"merchant_id": [1001], "point_date": [None]}, "point_date is missing"),
        ({"merchant_id": [1001], "point_date": ["not a date"]}, "'not a date' is not"),
        ({"merchant_id": [1001], "point_date": ["31/01/2026"]}, "is not a date"),
        ({"merchant_id": [1001], "point_date": [20260101]}, "contains numbers"),
        ({"merchant_id": [1001], "point_date": ["2100-01-01"]}, "after as_of_date()"),
        ({"merchant_id": [1001], "point_date": ["2025-06-01"]}, "too early"),
    ],
    ids=[
        "unknown merchant",
        "no merchant",
        "no date",
        "text",
        "day first",
        "number",
        "future",
        "before history",
    ],
)
def test_inputs_reject_unreadable_points(default_dataset, points, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        health.inputs(db.connect(default_dataset), pd.DataFrame(points))


def test_inputs_reject_points_not_a_frame(default_dataset):
    with pytest.raises(TypeError, match="points is a list"):
        health.inputs(db.connect(default_dataset), [(1001, "2026-01-01")])


def test_inputs_read_a_time_of_day_as_its_day(default_dataset):
    con = db.connect(default_dataset)
    day = pd.DataFrame({"merchant_id": [1002], "point_date": ["2026-03-01"]})
    afternoon = pd.DataFrame(
        {"MERCHANT_ID": [1002], "Point_Date": [pd.Timestamp("2026-03-01 15:30")]}
    )

    expected = health.inputs(con, day)
    got = health.inputs(con, afternoon)

    pd.testing.assert_frame_equal(got, expected)
    assert got["session_trend"].notna().all()


def test_inputs_take_a_relation_and_replace_inputs(default_dataset):
    con = db.connect(default_dataset)
    relation = con.sql(
        "SELECT 1002 AS merchant_id, DATE '2026-03-01' AS point_date, -1.0 AS nps"
    )

    frame = health.inputs(con, relation)

    assert list(frame.columns) == ["merchant_id", "point_date", *health.WEIGHTS]
    assert frame["nps"].iloc[0] != -1.0


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


WITH_NEGATIVE = {**health.WEIGHTS, "nps": -10}
WITH_NAN = {**health.WEIGHTS, "nps": float("nan")}
WITH_TEXT = {**health.WEIGHTS, "nps": "10"}


def _raises_key_error(inputs, weights):
    return inputs["no_such_input"]


@pytest.mark.parametrize(
    ("weights", "watch", "score_change", "message"),
    [
        ({"foo": 10}, [], None, "no component named foo"),
        (WITH_NEGATIVE, [], None, "the weight of nps is -10"),
        (WITH_NAN, [], None, "the weight of nps is nan"),
        (WITH_TEXT, [], None, "the weight of nps is '10'"),
        (None, [], None, "weights has the type NoneType"),
        (health.WEIGHTS, 1430, None, "watch has the type int"),
        (health.WEIGHTS, pd.DataFrame({"id": [1]}), None, "without a merchant_id"),
        (
            health.WEIGHTS,
            [],
            "raises",
            "KeyError: 'no_such_input' in _raises_key_error",
        ),
        (health.WEIGHTS, [], "twice", "more than once"),
        (health.WEIGHTS, [], "text", "which is not a number"),
        (health.WEIGHTS, [], "blue", "band contains 'blue'"),
        (health.WEIGHTS, [], "indexed", "call reset_index()"),
    ],
    ids=[
        "unknown name",
        "negative",
        "nan",
        "text weight",
        "no weights",
        "watch int",
        "watch frame",
        "score raises",
        "repeated merchant",
        "text score",
        "unknown band",
        "merchant index",
    ],
)
def test_panel_rejects_invalid_values(scoring, weights, watch, score_change, message):
    score, inputs = scoring
    changes = {
        None: score,
        "raises": _raises_key_error,
        "twice": lambda i, w: pd.concat([score(i, w)] * 2),
        "text": lambda i, w: score(i, w).astype({"health_score": str}),
        "blue": lambda i, w: score(i, w).assign(band="blue"),
        "indexed": lambda i, w: score(i, w).set_index("merchant_id"),
    }

    with pytest.raises(PanelError, match=re.escape(message)):
        panel_view(inputs, weights, changes[score_change], watch)


def test_panel_accepts_other_spellings(scoring):
    score, inputs = scoring
    watch = inputs[["merchant_id"]]

    def upper_case(inputs, weights):
        scored = score(inputs, weights)
        return scored.rename(columns=str.upper).assign(BAND=scored["band"].str.upper())

    expected = panel_view(inputs, health.WEIGHTS, score, watch["merchant_id"])
    got = panel_view(inputs, health.WEIGHTS, upper_case, watch)

    assert got.band_counts == expected.band_counts
    assert got.conflicted["merchant_id"].tolist() == (
        expected.conflicted["merchant_id"].tolist()
    )


def test_panel_counts_unscored_merchants(scoring):
    score, inputs = scoring

    def no_scores(inputs, weights):
        return score(inputs, weights).assign(health_score=float("nan"), band=None)

    view = panel_view(inputs, health.WEIGHTS, no_scores, [])

    assert view.unscored == len(inputs)
    assert sum(view.band_counts.values()) == 0


def test_weight_panel_explains_invalid_weights(scoring, capsys):
    score, inputs = scoring

    panel = weight_panel(inputs, score, [], weights={"sessions": 20})

    assert panel is None
    assert "no component named sessions" in capsys.readouterr().out


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


def test_rows_takes_a_dataframe_or_relation(default_dataset):
    con = db.connect(default_dataset)
    relation = con.sql("SELECT 1 AS One")

    from_frame = rows(relation.df(), db_path=default_dataset)
    from_relation = rows(relation, db_path=default_dataset)

    assert from_frame["one"].tolist() == [1]
    assert from_relation["one"].tolist() == [1]


def test_rows_lowercases_column_names(default_dataset):
    frame = rows("SELECT 1 AS Change_Pct", db_path=default_dataset)

    assert list(frame.columns) == ["change_pct"]


def test_rows_explains_a_missing_column(default_dataset, capsys):
    frame = rows(
        "SELECT 1 AS merchant_id",
        db_path=default_dataset,
        required_columns=["merchant_id", "change_pct"],
    )

    assert frame is None
    assert "no column change_pct" in capsys.readouterr().out


def test_rows_explains_another_type(default_dataset, capsys):
    assert rows(5, db_path=default_dataset) is None
    assert "has the type int" in capsys.readouterr().out
