"""hint() shows one hint per call; solution() shows the code and the reason."""

import json

from kit import hint, solution


def test_hints_in_sequence(project, capsys):
    hint("q2.top_arr")
    hint("q2.top_arr")
    first_two = capsys.readouterr().out.splitlines()
    assert first_two == [
        "Hint 1 of 3 for q2.top_arr: Start from the active contracts.",
        "Hint 2 of 3 for q2.top_arr: Sum arr_value per merchant, then join the "
        "session counts.",
    ]
    hint("q2.top_arr")
    third = capsys.readouterr().out.splitlines()
    assert third[0].startswith("Hint 3 of 3 for q2.top_arr: Divide by NULLIF")
    assert (
        third[1] == 'That was the last hint. solution("q2.top_arr") shows the answer.'
    )


def test_after_last_hint_says_so(project, capsys):
    hint("q4.audience")
    capsys.readouterr()
    hint("q4.audience")
    printed = capsys.readouterr().out
    assert printed.startswith("No more hints for q4.audience: you have seen all 1.")
    assert "Who cares about usage?" in printed


def test_hints_seen_recorded(project, capsys):
    hint("q2.top_arr")
    hint("q2.top_arr")
    record = json.loads((project / "progress.json").read_text())
    assert record["exercises"]["q2.top_arr"]["hints_seen"] == 2


def test_hint_for_unknown_exercise(project, capsys):
    hint("q2.top_ar")
    assert "did you mean q2.top_arr?" in capsys.readouterr().out


def test_solution_shows_code_and_explanation(project, capsys):
    solution("q2.top_arr")
    printed = capsys.readouterr().out
    assert printed.startswith("Solution for q2.top_arr (q2/top_arr.sql):")
    assert "SUM(arr_value) AS total_arr" in printed
    assert "Why this is right:\nActive contracts only" in printed
    record = json.loads((project / "progress.json").read_text())
    assert record["exercises"]["q2.top_arr"]["solution_seen"] is True
