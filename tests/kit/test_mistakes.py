"""Known-mistake conditions: each shown matching and not matching."""

import pandas as pd
import pytest

from kit.compare import compare_frames
from kit.compare_values import (
    compare_choices,
    compare_ids,
    compare_mappings,
    compare_numbers,
)
from kit.facts import Facts
from kit.mistakes import CONDITIONS, recognise
from kit.registry import CompareRules, Mistake

RULES = CompareRules(keys=("merchant_id",))


def reference():
    return pd.DataFrame(
        {
            "merchant_id": [1, 2, 3, 4],
            "segment": ["ent", "smb", "smb", "mid"],
            "sessions": [10, 0, 4, 7],
            "flag": ["Healthy", "No Baseline", "High Risk", "Healthy"],
        }
    )


def facts_for(got, **extra):
    facts = compare_frames(reference(), got, RULES).facts
    for name, value in extra.items():
        setattr(facts, name, value)
    return facts


def holds(name, argument, facts):
    return CONDITIONS[name].holds(argument, facts)


def test_error_condition():
    facts = Facts(
        "sql", error="Binder Error: WHERE clause cannot contain window functions!"
    )
    assert holds("error", "WHERE clause cannot contain window", facts)
    assert not holds("error", "GROUP BY", facts)
    assert not holds("error", "WHERE", Facts("sql"))


def test_sql_condition_spans_lines_and_ignores_case():
    facts = Facts(
        "sql", sql="select *\nfrom merchant_contracts\nwhere CONTRACT_STATUS = 'active'"
    )
    assert holds("sql", "contract_status", facts)
    assert not holds("sql", "^(?!.*contract_status)", facts)
    assert holds("sql", "^(?!.*contract_status)", Facts("sql", sql="select 1\nfrom t"))
    assert not holds("sql", "select", Facts("sql"))


def test_duplicate_keys_condition():
    repeated = pd.concat([reference(), reference().iloc[[0]]])
    assert holds("duplicate_keys", True, facts_for(repeated))
    assert not holds("duplicate_keys", True, facts_for(reference()))


def test_missing_rows_condition():
    without_smb = reference().query("segment != 'smb'")
    assert holds("missing_rows", True, facts_for(without_smb))
    assert holds("missing_rows", "sessions == 0", facts_for(without_smb))
    assert not holds("missing_rows", "segment == 'ent'", facts_for(without_smb))
    assert not holds("missing_rows", True, facts_for(reference()))


def test_all_missing_condition():
    without_smb = reference().query("segment != 'smb'")
    one_smb_left = reference().query("merchant_id != 2")
    assert holds("all_missing", "segment == 'smb'", facts_for(without_smb))
    assert not holds("all_missing", "segment == 'smb'", facts_for(one_smb_left))
    assert not holds("all_missing", "segment == 'none'", facts_for(without_smb))
    assert not holds("all_missing", "segment == 'smb'", facts_for(reference()))


def test_extra_rows_condition_queries_answer_rows():
    extra = pd.concat(
        [reference(), reference().iloc[[0]].assign(merchant_id=9, segment="x")]
    )
    assert holds("extra_rows", True, facts_for(extra))
    assert holds("extra_rows", "segment == 'x'", facts_for(extra))
    assert not holds("extra_rows", "segment == 'ent'", facts_for(extra))
    assert not holds("extra_rows", True, facts_for(reference()))


def test_bad_query_does_not_match():
    without_smb = reference().query("segment != 'smb'")
    assert not holds("missing_rows", "no_such_column > 1", facts_for(without_smb))


def test_row_count_condition():
    assert holds("row_count", "fewer", facts_for(reference().iloc[:2]))
    assert not holds("row_count", "more", facts_for(reference().iloc[:2]))
    more = pd.concat([reference(), reference().iloc[[0]].assign(merchant_id=9)])
    assert holds("row_count", "more", facts_for(more))
    assert not holds("row_count", "fewer", facts_for(reference()))


def test_differs_condition_on_column():
    higher = reference().assign(sessions=[12, 0, 4, 7])
    assert holds("differs", {"column": "sessions"}, facts_for(higher))
    assert holds("differs", {"column": "SESSIONS"}, facts_for(higher))
    assert not holds("differs", {"column": "flag"}, facts_for(higher))


def test_differs_direction():
    higher = reference().assign(sessions=[12, 0, 4, 7])
    assert holds(
        "differs", {"column": "sessions", "direction": "higher"}, facts_for(higher)
    )
    assert not holds(
        "differs", {"column": "sessions", "direction": "lower"}, facts_for(higher)
    )


def test_differs_where_on_reference_rows():
    changed = reference().assign(sessions=[10, 0, 5, 7])
    assert holds(
        "differs",
        {"column": "sessions", "where": "segment == 'smb'"},
        facts_for(changed),
    )
    assert not holds(
        "differs",
        {"column": "sessions", "where": "segment == 'ent'"},
        facts_for(changed),
    )


def test_differs_expected_and_got_values():
    flagged = reference().assign(flag=["Healthy", "Healthy", "High Risk", "Healthy"])
    facts = facts_for(flagged)
    argument = {"column": "flag", "expected": "No Baseline", "got": "Healthy"}
    assert holds("differs", argument, facts)
    assert not holds("differs", {**argument, "got": "High Risk"}, facts)


def test_differs_null_value():
    nulled = reference().astype({"sessions": object})
    nulled.loc[1, "sessions"] = None
    facts = facts_for(nulled)
    assert holds("differs", {"column": "sessions", "expected": 0, "got": None}, facts)
    assert not holds(
        "differs", {"column": "sessions", "expected": 10, "got": None}, facts
    )


def test_differs_every_differing_row():
    changed = reference().assign(sessions=[11, 0, 3, 7])
    facts = facts_for(changed)
    one_smb = {"column": "sessions", "where": "segment == 'smb'"}
    assert holds("differs", one_smb, facts)
    assert not holds("differs", {**one_smb, "every": True}, facts)
    assert holds(
        "differs", {"column": "sessions", "where": "sessions > 3", "every": True}, facts
    )


def test_same_condition_on_columns():
    changed = reference().assign(sessions=[11, 0, 4, 7])
    facts = facts_for(changed)
    assert holds("same", ["flag"], facts)
    assert holds("same", ["FLAG", "segment"], facts)
    assert not holds("same", ["flag", "sessions"], facts)
    assert not holds("same", ["flag"], facts_for(changed.drop(columns="flag")))


def test_differs_on_mapping_key():
    facts = compare_mappings(
        {"nps": "csm", "arr": "am"}, {"nps": "am", "arr": "am"}
    ).facts
    assert holds("differs", {"column": "nps", "got": "am"}, facts)
    assert not holds("differs", {"column": "arr"}, facts)


def test_direction_condition_on_numbers():
    facts = compare_numbers(100, 120).facts
    assert holds("direction", "higher", facts)
    assert not holds("direction", "lower", facts)


def test_got_condition_on_choice():
    facts = compare_choices("csm", "AM", ("am", "csm")).facts
    assert holds("got", "am", facts)
    assert not holds("got", "csm", facts)


def test_ids_missing_and_extra_rows():
    facts = compare_ids([1, 2, 3], [1, 9]).facts
    assert holds("missing_rows", "id == 2", facts)
    assert holds("extra_rows", True, facts)
    assert not holds("extra_rows", "id == 1", facts)
    assert holds("row_count", "fewer", facts)


def test_all_conditions_must_hold():
    higher = reference().assign(sessions=[12, 0, 4, 7])
    facts = facts_for(higher, sql="select count(*) from s")
    both = Mistake(
        "count_star", {"sql": "count\\(\\*\\)", "differs": {"column": "sessions"}}, "m"
    )
    other_sql = Mistake(
        "x", {"sql": "distinct", "differs": {"column": "sessions"}}, "m"
    )
    assert recognise([both, other_sql], facts) == [both]


def test_repeated_mistake_id_recognised_once():
    facts = facts_for(reference().iloc[:2])
    first = Mistake("short", {"row_count": "fewer"}, "m")
    second = Mistake("short", {"missing_rows": True}, "m")
    assert recognise([first, second], facts) == [first]


@pytest.mark.parametrize("name", sorted(CONDITIONS))
def test_every_condition_validates_its_argument(name):
    assert (
        CONDITIONS[name].validate({"unexpected": object()}) is not None or name == "got"
    )
