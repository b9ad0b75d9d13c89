"""Comparison of ids, mappings, numbers and choices."""

import decimal

import numpy as np
import pandas as pd
import pytest

from kit.compare_values import (
    NotAChoice,
    WrongType,
    compare_choices,
    compare_ids,
    compare_mappings,
    compare_numbers,
    to_ids,
    to_number,
)


def test_ids_compare_as_set():
    assert compare_ids([1, 2, 3], {3, 1, 2}).matched
    assert compare_ids([1, 2, 3], np.array([3, 2, 1])).matched
    assert compare_ids([1, 2, 3], pd.Series([1.0, 2.0, 3.0])).matched
    assert compare_ids([1, 2, 3], pd.DataFrame({"merchant_id": [1, 2, 3]})).matched


def test_ids_name_misses_and_false_positives():
    result = compare_ids([1, 2, 3, 4], [1, 2, 9])
    assert not result.matched
    assert result.details == [
        "Expected 4 ids, got 3.",
        "Missing ids (2): 3; 4.",
        "Unexpected ids (1): 9.",
    ]


def test_ids_given_as_digit_strings_match_integers():
    assert compare_ids([1, 2], ["1", "2"]).matched


def test_repeated_ids_count_once():
    result = compare_ids([1, 2], [1, 1, 2])
    assert result.matched
    assert result.notes == ["1 ids repeat; each counts once."]


@pytest.mark.parametrize("answer", ["1,2,3", {1: "a"}, 5])
def test_ids_reject_non_iterables_and_text(answer):
    with pytest.raises(WrongType):
        to_ids(answer)


def test_ids_reject_wide_dataframe():
    with pytest.raises(WrongType):
        to_ids(pd.DataFrame({"a": [1], "b": [2]}))


OWNERS = {"NPS": "csm", "ARR": "am", "Login frequency": "csm"}


def test_mapping_ignores_case_and_blanks():
    assert compare_mappings(
        OWNERS, {"nps": " CSM", "arr": "AM", "login frequency": "csm"}
    ).matched


def test_mapping_names_wrong_and_missing_keys():
    result = compare_mappings(OWNERS, {"NPS": "am", "ARR": "am", "churn": "am"})
    assert not result.matched
    assert result.details == [
        "No answer for (1): 'Login frequency'.",
        "Wrong values (1): 'NPS' (you gave 'am').",
        "Unexpected keys (1): 'churn'; check their spelling.",
    ]


def test_mapping_blank_value_counts_as_unanswered():
    result = compare_mappings(
        OWNERS, {"NPS": "csm", "ARR": "", "Login frequency": "csm"}
    )
    assert result.details == ["No answer for (1): 'ARR'."]


def test_mapping_numbers_within_tolerance():
    assert compare_mappings({"a": 1.0}, {"a": 1.004}, tolerance=0.01).matched
    assert not compare_mappings({"a": 1.0}, {"a": 1.1}, tolerance=0.01).matched


def test_mapping_rejects_list():
    with pytest.raises(WrongType):
        compare_mappings(OWNERS, ["csm"])


OWNER_NOTES = {
    "NPS": "NPS asks how the customer feels about the product.",
    "ARR": "ARR is the revenue under contract.",
}


def test_mapping_wrong_items_carry_notes():
    result = compare_mappings(
        OWNERS,
        {"NPS": "am", "ARR": "csm", "Login frequency": "am"},
        item_notes=OWNER_NOTES,
    )
    assert not result.matched
    assert result.details == [
        "Wrong values (3):",
        "    'NPS' (you gave 'am'): NPS asks how the customer feels about the product.",
        "    'ARR' (you gave 'csm'): ARR is the revenue under contract.",
        "    'Login frequency' (you gave 'am').",
    ]


def test_mapping_notes_list_every_wrong_item():
    expected = {f"metric {number}": "am" for number in range(8)}
    notes = {key: f"Why {key} is the AM's." for key in expected}
    result = compare_mappings(
        expected, dict.fromkeys(expected, "csm"), item_notes=notes
    )
    assert result.details[0] == "Wrong values (8):"
    assert result.details[1:] == [
        f"    {key!r} (you gave 'csm'): {note}" for key, note in notes.items()
    ]


def test_mapping_notes_match_keys_ignoring_case():
    result = compare_mappings(
        OWNERS, {"nps": "am"}, item_notes={" nps ": "Customer sentiment."}
    )
    assert "    'NPS' (you gave 'am'): Customer sentiment." in result.details


def test_mapping_correct_answer_has_no_notes():
    result = compare_mappings(OWNERS, dict(OWNERS), item_notes=OWNER_NOTES)
    assert result.matched
    assert result.details == []
    assert result.notes == []


def test_mapping_unanswered_item_has_no_note():
    result = compare_mappings(
        OWNERS,
        {"NPS": "am", "ARR": "", "Login frequency": "csm"},
        item_notes=OWNER_NOTES,
    )
    text = "\n".join(result.details)
    assert OWNER_NOTES["NPS"] in text
    assert OWNER_NOTES["ARR"] not in text
    assert "No answer for (1): 'ARR'." in result.details


def test_number_types_equal():
    for got in (
        42,
        42.0,
        decimal.Decimal("42.00"),
        np.int64(42),
        pd.DataFrame({"n": [42]}),
    ):
        assert compare_numbers(42, got).matched, got


def test_number_within_tolerance():
    assert compare_numbers(10.0, 10.4, tolerance=0.5).matched
    result = compare_numbers(10.0, 10.6, tolerance=0.5)
    assert not result.matched
    assert result.details == [
        "10.6 is higher than the reference (beyond the tolerance of 0.5)."
    ]


def test_number_lower_without_revealing_reference():
    result = compare_numbers(812, 700)
    assert result.details == ["700 is lower than the reference."]
    assert "812" not in result.details[0]


def test_number_infinity_is_division_by_zero():
    result = compare_numbers(1.0, float("inf"))
    assert not result.matched
    assert result.facts.division_by_zero


@pytest.mark.parametrize("answer", ["42", True, None, pd.DataFrame({"a": [1, 2]})])
def test_number_rejects_other_types(answer):
    with pytest.raises(WrongType):
        to_number(answer)


def test_choice_case_insensitive():
    assert compare_choices("csm", " CSM ", ("am", "csm")).matched


def test_wrong_choice_incorrect():
    result = compare_choices("csm", "am", ("am", "csm"))
    assert not result.matched
    assert result.details == ["'am' is not the best choice here."]


def test_unknown_choice_rejected():
    with pytest.raises(NotAChoice) as raised:
        compare_choices("csm", "sales", ("am", "csm"))
    assert str(raised.value) == "'sales' is not one of the choices am, csm"
