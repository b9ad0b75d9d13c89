"""DataFrame comparison: each rule fails a wrong answer and passes an equivalent one."""

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pytest

from kit.compare import compare_frames
from kit.errors import ReferenceFailed
from kit.registry import CompareRules, SortKey

KEYS = CompareRules(keys=("merchant_id",))


def reference():
    return pd.DataFrame(
        {
            "merchant_id": [1, 2, 3],
            "total_arr": [8000.0, 7000.0, 1500.0],
            "renewal_date": pd.to_datetime(["2026-09-01", "2026-12-01", "2026-08-01"]),
            "health_flag": ["High Risk", "Healthy", "Healthy"],
            "session_change_pct": [-80.0, 0.0, None],
        }
    )


def compare(got, rules=KEYS, **options):
    return compare_frames(reference(), got, rules, **options)


def test_identical_frame_matches():
    result = compare(reference())
    assert result.matched
    assert result.details == []


def test_column_order_ignored_by_default():
    assert compare(reference().iloc[:, ::-1]).matched


def test_column_order_checked_when_declared():
    rules = CompareRules(keys=("merchant_id",), column_order=True)
    shuffled = compare(reference().iloc[:, ::-1], rules)
    assert not shuffled.matched
    assert shuffled.details[0].startswith("Columns are in the order session_change_pct")
    assert compare(reference(), rules).matched


def test_column_names_ignore_case():
    assert compare(reference().rename(columns=str.upper)).matched


def test_repeated_column_name_reported():
    got = reference()
    got["TOTAL_ARR"] = got["total_arr"]
    result = compare(got)
    assert not result.matched
    assert "Column total_arr appears more than once" in result.details[0]


def test_missing_column_named():
    result = compare(reference().drop(columns=["health_flag", "total_arr"]))
    assert not result.matched
    assert result.details[0] == "Missing columns: total_arr, health_flag."


def test_missing_key_column_stops_comparison():
    result = compare(reference().drop(columns=["merchant_id"]))
    assert result.details == ["Missing columns: merchant_id."]


def test_extra_column_mentioned_but_allowed():
    got = reference().assign(note="x")
    result = compare(got)
    assert result.matched
    assert result.notes == ["Extra columns, not checked: note."]


def test_int_float_decimal_equal():
    got = reference()
    got["merchant_id"] = got["merchant_id"].astype(float)
    got["total_arr"] = [decimal.Decimal("8000.00"), decimal.Decimal("7000"), 1500]
    assert compare(got).matched


def test_decimal_differs_by_cent():
    got = reference()
    got["total_arr"] = [decimal.Decimal("8000.01"), 7000, 1500]
    result = compare(got)
    assert not result.matched
    assert "merchant_id 1: total_arr expected 8000, got 8000.01" in result.details[1]


def test_float_rounding_within_relative_error():
    got = reference()
    got["total_arr"] = got["total_arr"] * (1 + 1e-12)
    assert compare(got).matched


def test_large_integers_compare_exactly():
    expected = pd.DataFrame({"k": [1], "n": [2**60]})
    got = pd.DataFrame({"k": [1], "n": [2**60 + 1]})
    assert not compare_frames(expected, got, CompareRules(keys=("k",))).matched
    assert compare_frames(expected, expected.copy(), CompareRules(keys=("k",))).matched


def test_dates_of_any_type_equal():
    got = reference()
    variants = [
        [dt.date(2026, 9, 1), dt.date(2026, 12, 1), dt.date(2026, 8, 1)],
        ["2026-09-01", "2026-12-01", "2026-08-01"],
        [
            pd.Timestamp("2026-09-01"),
            dt.datetime(2026, 12, 1),
            np.datetime64("2026-08-01"),
        ],
        pd.to_datetime(["2026-09-01", "2026-12-01", "2026-08-01"]).tz_localize("UTC"),
    ]
    for dates in variants:
        got["renewal_date"] = dates
        assert compare(got).matched, dates


def test_wrong_date_reported():
    got = reference()
    got["renewal_date"] = ["2026-09-02", "2026-12-01", "2026-08-01"]
    result = compare(got)
    assert not result.matched
    assert "renewal_date expected 2026-09-01, got '2026-09-02'" in result.details[1]


def test_unparseable_date_differs():
    got = reference()
    got["renewal_date"] = ["soon", "2026-12-01", "2026-08-01"]
    assert not compare(got).matched


def test_number_as_text_differs():
    got = reference()
    got["total_arr"] = ["8000", "7000", "1500"]
    assert not compare(got).matched


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA, pd.NaT])
def test_missing_values_equal(missing):
    got = reference().astype({"session_change_pct": object})
    got.loc[2, "session_change_pct"] = missing
    assert compare(got).matched


def test_null_against_value_differs():
    got = reference()
    got.loc[2, "session_change_pct"] = 0.0
    result = compare(got)
    assert not result.matched
    assert "session_change_pct expected NULL, got 0" in result.details[1]


def test_infinity_in_dataframe_is_division_by_zero():
    got = reference()
    got.loc[2, "session_change_pct"] = np.inf
    result = compare(got)
    assert not result.matched
    assert result.facts.division_by_zero
    assert "session_change_pct holds NaN or infinity in 1 row" in result.details[0]


def test_nan_flagged_by_sql_is_not_null():
    got = reference()
    flags = {"session_change_pct": np.array([False, False, True])}
    result = compare(got, not_finite=flags)
    assert not result.matched
    assert "a division by zero" in result.details[0]


def test_tolerance_applies_per_column():
    rules = CompareRules(keys=("merchant_id",), tolerance={"session_change_pct": 0.01})
    got = reference()
    got.loc[0, "session_change_pct"] = -80.009
    assert compare(got, rules).matched
    got.loc[0, "session_change_pct"] = -80.02
    assert not compare(got, rules).matched
    assert not compare(got).matched


def test_text_compares_exactly():
    got = reference()
    got.loc[0, "health_flag"] = "high risk"
    result = compare(got)
    assert not result.matched
    assert "health_flag expected 'High Risk', got 'high risk'" in result.details[1]


def test_row_order_ignored_without_sort():
    assert compare(reference().iloc[::-1]).matched


def test_row_count_and_missing_keys_reported():
    result = compare(reference().iloc[:2])
    assert not result.matched
    assert result.details == [
        "Expected 3 rows, got 2.",
        "Missing rows (1): merchant_id 3.",
    ]
    assert list(result.facts.missing_rows["merchant_id"]) == [3]


def test_extra_keys_reported():
    got = pd.concat([reference(), reference().iloc[[0]].assign(merchant_id=9)])
    result = compare(got)
    assert "Unexpected rows (1): merchant_id 9." in result.details
    assert list(result.facts.extra_rows["merchant_id"]) == [9]


def test_duplicate_keys_reported():
    got = pd.concat([reference(), reference().iloc[[0]]])
    result = compare(got)
    assert not result.matched
    assert result.facts.duplicate_keys
    assert "1 key appears more than once: merchant_id 1 (2 rows)." in result.details[1]


def test_examples_capped_at_five():
    expected = pd.DataFrame({"k": range(20), "v": range(20)})
    result = compare_frames(expected, expected.iloc[:0], CompareRules(keys=("k",)))
    assert result.details[1] == (
        "Missing rows (20): k 0; k 1; k 2; k 3; k 4; and 15 more."
    )


def test_differing_rows_listed_by_key():
    got = reference()
    got["total_arr"] = got["total_arr"] + 1
    result = compare(got)
    assert result.details[0] == "3 of 3 matched rows differ:"
    assert result.details[1] == "  merchant_id 1: total_arr expected 8000, got 8001"
    assert len(result.details) == 4


def test_composite_keys_match_rows():
    expected = pd.DataFrame(
        {"segment": ["smb", "smb", "ent"], "rank": [1, 2, 1], "v": [1, 2, 3]}
    )
    rules = CompareRules(keys=("segment", "rank"))
    assert compare_frames(expected, expected.iloc[[2, 0, 1]], rules).matched
    wrong = expected.assign(v=[1, 2, 4])
    result = compare_frames(expected, wrong, rules)
    assert "  segment 'ent', rank 1: v expected 3, got 4" in result.details


SORTED = CompareRules(
    keys=("merchant_id",),
    sort=(SortKey("total_arr", descending=True), SortKey("session_change_pct")),
)


def test_sort_order_checked():
    result = compare(reference().iloc[[1, 0, 2]], SORTED)
    assert not result.matched
    assert result.details[0].startswith("Rows are out of order at row 2:")
    assert "Sort by total_arr descending (NULLs last)" in result.details[0]
    assert compare(reference(), SORTED).matched


def test_rows_tied_on_sort_keys_in_any_order():
    expected = pd.DataFrame({"k": [1, 2, 3], "arr": [10, 10, 5]})
    rules = CompareRules(keys=("k",), sort=(SortKey("arr", descending=True),))
    assert compare_frames(expected, expected.iloc[[1, 0, 2]], rules).matched


def test_nulls_placement_checked():
    expected = pd.DataFrame({"k": [1, 2, 3], "change": [-5.0, 3.0, None]})
    last = CompareRules(keys=("k",), sort=(SortKey("change"),))
    first = CompareRules(keys=("k",), sort=(SortKey("change", nulls="first"),))
    nulls_first = expected.iloc[[2, 0, 1]]
    assert compare_frames(expected, expected, last).matched
    assert not compare_frames(expected, nulls_first, last).matched
    assert compare_frames(expected, nulls_first, first).matched


def test_reference_without_key_column_raises():
    with pytest.raises(ReferenceFailed):
        compare(reference(), CompareRules(keys=("contract_id",)))


def test_reference_with_repeated_key_raises():
    expected = pd.concat([reference(), reference().iloc[[0]]])
    with pytest.raises(ReferenceFailed):
        compare_frames(expected, reference(), KEYS)


def test_nested_values_compare_by_value():
    expected = pd.DataFrame({"k": [1], "tags": [["a", "b"]]})
    same = pd.DataFrame({"k": [1], "tags": [("a", "b")]})
    other = pd.DataFrame({"k": [1], "tags": [["b", "a"]]})
    rules = CompareRules(keys=("k",))
    assert compare_frames(expected, same, rules).matched
    assert not compare_frames(expected, other, rules).matched


def test_boolean_column_rejects_integers():
    expected = pd.DataFrame({"k": [1, 2], "flag": [True, False]})
    rules = CompareRules(keys=("k",))
    assert compare_frames(expected, expected.astype({"flag": object}), rules).matched
    assert not compare_frames(expected, expected.assign(flag=[1, 0]), rules).matched


def test_row_line_names_first_three_columns():
    expected = pd.DataFrame(
        {"k": [1], "a": [1], "b": [2], "c": [3], "d": [4], "e": [5]}
    )
    got = expected + pd.DataFrame(
        {"k": [0], "a": [1], "b": [1], "c": [1], "d": [1], "e": [1]}
    )
    result = compare_frames(expected, got, CompareRules(keys=("k",)))
    assert result.details[1] == (
        "  k 1: a expected 1, got 2; b expected 2, got 3; c expected 3, got 4; "
        "and 2 more columns"
    )


def test_number_as_text_explained():
    got = reference()
    got["total_arr"] = ["8000", "7000", "1500"]

    details = compare(got).details

    assert details[0] == (
        "Column total_arr contains '8000' (str), but the reference contains "
        "numbers: return numbers, not text."
    )


def test_boolean_codes_explained():
    expected = pd.DataFrame({"k": [1, 2], "flag": [True, False]})
    rules = CompareRules(keys=("k",))

    details = compare_frames(expected, expected.assign(flag=[1, 0]), rules).details

    assert details[0].startswith("Column flag contains 1 (int")
    assert details[0].endswith("return TRUE or FALSE, not 1 and 0 or text.")


def test_key_in_index_explained():
    result = compare(reference().set_index("merchant_id"))

    assert not result.matched
    assert result.details == [
        "Missing columns: merchant_id.",
        "merchant_id is in the DataFrame's index, not in its columns: call "
        "reset_index() on the answer.",
    ]
