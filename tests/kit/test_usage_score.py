"""The usage score: its arithmetic, its alert list and its what-if options."""

import numpy as np
import pandas as pd
import pytest

from kit import db, usage_score


def counts_row(**values) -> dict:
    """Return one reading's counts of a steady merchant, changed by ``values``."""
    row = {
        "merchant_id": 1,
        "reading_date": pd.Timestamp("2026-06-30"),
        "sessions_window": 100.0,
        "sessions_baseline": 100.0,
        "users_window": 4.0,
        "users_baseline": 4.0,
        "events_window": 200.0,
        "events_baseline": 200.0,
    }
    return row | values


def score_of(**values) -> pd.Series:
    return usage_score.score_counts(pd.DataFrame([counts_row(**values)])).iloc[0]


def test_weights_sum_to_100():
    assert sum(usage_score.WEIGHTS.values()) == 100
    table = usage_score.components_table()
    assert list(table["name"]) == list(usage_score.COMPONENT_NAMES)


def test_steady_merchant_scores_100():
    scored = score_of()

    assert scored["score"] == 100
    for name in usage_score.COMPONENT_NAMES:
        assert scored[f"{name}_ratio"] == 1.0


def test_points_follow_the_scale():
    at_floor = score_of(sessions_window=25.0)
    halfway = score_of(sessions_window=45.0)
    at_target = score_of(sessions_window=65.0)

    assert at_floor["sessions_points"] == 0
    assert halfway["sessions_points"] == pytest.approx(50)
    assert at_target["sessions_points"] == 100
    assert at_floor["score"] == pytest.approx(70)


def test_events_count_per_active_user():
    # Half the events from half the users: events per user hold.
    scored = score_of(events_window=100.0, users_window=2.0)

    assert scored["core_events_per_user_ratio"] == pytest.approx(1.0)
    assert scored["active_users_points"] == pytest.approx(100 * (0.5 - 0.25) / 0.4)


def test_few_events_leave_the_component_out():
    scored = score_of(
        events_baseline=usage_score.MIN_BASELINE_EVENTS - 1.0,
        events_window=0.0,
        sessions_window=45.0,
    )

    assert np.isnan(scored["core_events_per_user_points"])
    # sessions 50 points and users 100, weighted 30 and 30.
    assert scored["score"] == pytest.approx(75)


def test_small_merchant_not_scored():
    scored = score_of(sessions_baseline=usage_score.MIN_BASELINE_SESSIONS - 1.0)

    assert np.isnan(scored["score"])


def test_no_user_means_no_events():
    scored = score_of(users_window=0.0, events_window=0.0, sessions_window=0.0)

    assert scored["core_events_per_user_ratio"] == 0
    assert scored["score"] == 0


def history_of(before: float, after: float) -> pd.DataFrame:
    latest = pd.Timestamp("2026-06-30")
    return pd.DataFrame(
        {
            "merchant_id": [1, 1, 1],
            "reading_date": [latest - pd.Timedelta(days=d) for d in (28, 7, 0)],
            "score": [before, 50.0, after],
        }
    )


def test_changes_compare_readings_28_days_apart():
    changes = usage_score.changes_from(history_of(90.0, 60.0))

    assert changes.to_dict("records") == [
        {"merchant_id": 1, "score_before": 90.0, "score_after": 60.0, "drop": 30.0}
    ]


@pytest.mark.parametrize(("after", "alert"), [(70.0, True), (70.5, False)])
def test_alert_at_twenty_points(after, alert):
    drops = usage_score.drops_from(history_of(90.0, after))

    assert (len(drops) == 1) is alert


def test_unscored_reading_raises_no_alert():
    drops = usage_score.drops_from(history_of(float("nan"), 0.0))

    assert drops.empty


@pytest.fixture(scope="module")
def con(default_dataset):
    return db.connect(default_dataset)


@pytest.fixture(scope="module")
def history(con):
    return usage_score.scores(con, weeks=5)


def test_history_has_weekly_readings(con, history):
    as_of = con.sql("SELECT as_of_date() AS d").df()["d"][0]
    days = sorted(history["reading_date"].unique())

    assert len(days) == 5
    assert pd.Timestamp(days[-1]) == pd.Timestamp(as_of)
    assert set(np.diff(days).astype("timedelta64[D]").astype(int)) == {7}


def test_scores_cover_current_customers(con, history):
    customers = con.sql(
        "SELECT COUNT(DISTINCT merchant_id) AS n FROM merchant_contracts "
        "WHERE contract_status = 'active'"
    ).df()["n"][0]

    latest = history[history["reading_date"] == history["reading_date"].max()]

    assert len(latest) == customers
    assert latest["score"].notna().sum() > customers / 2
    scored = latest["score"].dropna()
    assert ((scored >= 0) & (scored <= 100)).all()


def test_sessions_counted_once(con, history):
    """A session delivered twice counts once, as the counting query says."""
    latest = history[history["reading_date"] == history["reading_date"].max()]
    distinct = con.sql(
        "SELECT merchant_id, COUNT(DISTINCT session_id) AS n FROM merchant_sessions "
        "WHERE session_date >= as_of_date() - 28 GROUP BY merchant_id"
    ).df()
    merged = latest.merge(distinct, on="merchant_id")

    assert (merged["sessions_window"] == merged["n"]).all()


def test_alert_list_is_sorted_by_arr(con):
    alerts = usage_score.sharp_drops(con)

    assert len(alerts) > 0
    assert list(alerts.columns) == [
        "merchant_id",
        "arr",
        "score_before",
        "score_after",
        "drop",
    ]
    assert (alerts["drop"] >= usage_score.DROP_POINTS).all()
    assert alerts["arr"].is_monotonic_decreasing


def test_leave_out_counts_fewer_events(con):
    plain = usage_score.counts(con, readings=1)
    fewer = usage_score.counts(
        con, readings=1, leave_out=["payment_links"], leave_out_platform="ios"
    )

    merged = plain.merge(fewer, on=["merchant_id", "reading_date"])
    assert (merged["events_window_y"] <= merged["events_window_x"]).all()
    assert (merged["events_window_y"] < merged["events_window_x"]).any()
    assert (merged["sessions_window_y"] == merged["sessions_window_x"]).all()


def broken_release(con) -> dict:
    """Return the latest ios release as if it had broken payment_links."""
    version = con.sql(
        "SELECT app_version FROM merchant_sessions WHERE platform = 'ios' "
        "GROUP BY app_version ORDER BY MIN(session_date) DESC LIMIT 1"
    ).df()["app_version"][0]
    return {"feature_name": "payment_links", "platform": "ios", "app_version": version}


def test_repair_adds_events_only(con):
    plain = usage_score.scores(con, weeks=1)
    repaired = usage_score.scores(con, weeks=1, repair=broken_release(con))

    merged = plain.merge(repaired, on=["merchant_id", "reading_date"])
    assert (merged["events_window_y"] >= merged["events_window_x"] - 1e-9).all()
    assert (merged["events_window_y"] > merged["events_window_x"]).any()
    assert (merged["sessions_window_y"] == merged["sessions_window_x"]).all()


def test_repair_takes_a_one_row_frame(con):
    row = pd.DataFrame([broken_release(con)])

    from_frame = usage_score.changes(con, repair=row)
    from_dict = usage_score.changes(con, repair=broken_release(con))

    pd.testing.assert_frame_equal(from_frame, from_dict)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"leave_out": ["logins"]}, "leave_out names 'logins'"),
        ({"leave_out": list(usage_score.CORE_EVENTS)}, "nothing is left to count"),
        ({"leave_out": ["refunds"], "platform": "mac"}, "platform 'mac' is not"),
        ({"platform": "ios"}, "needs the events to leave out"),
        ({"weeks": 0}, "weeks must be 1 or more"),
        ({"weeks": 2.5}, "weeks must be a whole number"),
        ({"repair": "refunds"}, "repair is a str"),
        ({"repair": {"feature_name": "refunds"}}, "repair lacks platform"),
        (
            {"repair": {"feature_name": "sso", "platform": "ios", "app_version": "1"}},
            "repair names feature 'sso'",
        ),
        (
            {
                "repair": {
                    "feature_name": "refunds",
                    "platform": "ios",
                    "app_version": "0.0.0",
                }
            },
            "app_version '0.0.0', which has no session on ios",
        ),
        (
            {"repair": pd.DataFrame({"feature_name": ["a", "b"]})},
            "DataFrame of 2 rows",
        ),
    ],
)
def test_bad_options_rejected(con, options, message):
    with pytest.raises(ValueError, match=message):
        usage_score.scores(con, **options)


def test_bad_table_name_rejected(con):
    with pytest.raises(ValueError, match="not a plain SQL identifier"):
        usage_score.counts(con, readings=1, sessions_table="merchant_sessions; --")
