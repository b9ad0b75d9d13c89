"""exercises.yaml loading: every validation error names the exercise, field and fix."""

import os

import pytest
import yaml
from kit_project import REGISTRY

from kit.errors import RegistryError, UnknownExercise
from kit.registry import load_registry


def entries():
    return yaml.safe_load(REGISTRY)["exercises"]


def write_registry(project, exercises):
    path = project / "exercises.yaml"
    path.write_text(yaml.safe_dump({"exercises": exercises}), encoding="utf-8")
    return path


def load_with(project, change, position=0):
    exercises = entries()
    change(exercises[position])
    return load_registry(write_registry(project, exercises))


def test_fixture_registry_loads(project):
    registry = load_registry()
    assert len(registry) == 6
    top = registry.get("q2.top_arr")
    assert top.compare.keys == ("merchant_id",)
    assert top.compare.sort[0].descending is True
    assert top.compare.column_tolerance("SESSION_CHANGE_PCT") == 0.01
    assert top.solution_path == project / "solutions" / "q2" / "top_arr.sql"
    assert [mistake.id for mistake in top.mistakes][0] == "grouped_by_renewal_date"


def test_repository_registry_loads():
    """The project's own exercises.yaml is valid against this validator."""
    registry = load_registry(
        os.path.join(os.path.dirname(__file__), "..", "..", "exercises.yaml")
    )
    assert len(registry) > 0


@pytest.mark.parametrize(
    ("change", "position", "expected"),
    [
        (lambda e: e.pop("title"), 0, "exercise q2.top_arr: field `title` is missing"),
        (lambda e: e.update(owner="x"), 0, "field `owner` is unknown"),
        (lambda e: e.update(id="Q2-top"), 0, "field `id` 'Q2-top' is invalid"),
        (lambda e: e.update(id="q9.top"), 0, "field `id` 'q9.top' is invalid"),
        (lambda e: e.update(answer="table"), 0, "field `answer` 'table' is invalid"),
        (
            lambda e: e.update(question_type="trivia"),
            0,
            "field `question_type` 'trivia' is invalid",
        ),
        (
            lambda e: e.update(audience="sales"),
            0,
            "field `audience` 'sales' is invalid",
        ),
        (lambda e: e.update(solution="q2/none.sql"), 0, "which is missing from"),
        (lambda e: e.update(solution="q2/top.txt"), 0, "is not a .sql or .py file"),
        (lambda e: e.update(solution="../x.sql"), 0, "is outside solutions/"),
        (lambda e: e["compare"].pop("keys"), 0, "field `compare.keys` is missing"),
        (lambda e: e.pop("compare"), 0, "field `compare` is missing"),
        (lambda e: e.update(hints=[]), 0, "field `hints` is not a list"),
        (lambda e: e.update(notebook="a.ipynb"), 0, "is not a notebook stem"),
        (lambda e: e.update(uses="q2.top_arr"), 0, "field `uses` is not a list"),
        (
            lambda e: e.update(compare={"free_text": "action"}),
            3,
            "field `compare.free_text` is not a list of non-empty strings",
        ),
        (
            lambda e: e.update(uses=["q2.top_arr"]),
            0,
            "field `uses` names 'q2.top_arr', which is not an exercise listed before",
        ),
        (lambda e: e["compare"].update(tolerance=0.1), 0, "is not a mapping"),
        (
            lambda e: e["compare"].update(sort=[{"column": "x", "nulls": "middle"}]),
            0,
            "nulls is invalid",
        ),
        (lambda e: e.update(choices=["a", "b"]), 0, "does not apply to answer: sql"),
        (lambda e: e.pop("choices"), 5, "exercise q4.audience: field `choices`"),
        (lambda e: e.update(choices=["am", "AM"]), 5, "repeats an option"),
        (
            lambda e: e.update(compare={"keys": ["id"]}),
            2,
            "field `compare.keys` does not apply to answer: ids",
        ),
        (
            lambda e: e["mistakes"][0].update(when={"looks_wrong": True}),
            0,
            "field `mistakes.grouped_by_renewal_date.when.looks_wrong` is an "
            "unknown condition",
        ),
        (
            lambda e: e["mistakes"][0].update(when={"row_count": "less"}),
            0,
            "must be fewer or more",
        ),
        (
            lambda e: e["mistakes"][0].update(when={"error": "("}),
            0,
            "is not a valid regular expression",
        ),
        (
            lambda e: e["mistakes"][0].update(when={"differs": {"where": "x"}}),
            0,
            "needs `column`",
        ),
        (
            lambda e: e["mistakes"][0].update(when={"got": "am"}),
            0,
            "does not apply to answer: sql",
        ),
        (
            lambda e: e["mistakes"][0].pop("message"),
            0,
            "give exactly id, when and message",
        ),
        (
            lambda e: e.update(item_notes={"nps": "x"}),
            0,
            "field `item_notes` does not apply to answer: sql",
        ),
        (
            lambda e: e.update(item_note={"nps": "x"}),
            3,
            "field `item_note` is unknown",
        ),
        (
            lambda e: e.update(item_notes=["nps"]),
            3,
            "exercise q1.metric_owners: field `item_notes` is empty or not a mapping",
        ),
        (
            lambda e: e.update(item_notes={"churn": "x"}),
            3,
            "field `item_notes.churn` is not a key of the mapping in "
            "q1/metric_owners.py",
        ),
        (
            lambda e: e.update(item_notes={"nps": 5}),
            3,
            "field `item_notes.nps` is empty or not text",
        ),
        (
            lambda e: e.update(item_notes={"nps": " "}),
            3,
            "field `item_notes.nps` is empty or not text",
        ),
        (
            # yaml.safe_dump sorts the keys, so NPS comes first in the file.
            lambda e: e.update(item_notes={"nps": "a", "NPS": "b"}),
            3,
            "field `item_notes.nps` names the same key as `item_notes.NPS`",
        ),
    ],
)
def test_invalid_entry_names_field(project, change, position, expected):
    with pytest.raises(RegistryError) as raised:
        load_with(project, change, position)
    assert expected in str(raised.value)


def test_invalid_entry_message_gives_fix(project):
    with pytest.raises(RegistryError) as raised:
        load_with(project, lambda e: e.update(audience="sales"))
    assert str(raised.value).endswith("use one of am, csm, both")


def test_item_note_fix_suggests_close_key(project):
    with pytest.raises(RegistryError) as raised:
        load_with(project, lambda e: e.update(item_notes={"login frequency": "x"}), 3)
    assert str(raised.value).endswith(
        "use one of the solution's keys; did you mean 'login_frequency'?"
    )


def test_item_note_fix_lists_keys(project):
    with pytest.raises(RegistryError) as raised:
        load_with(project, lambda e: e.update(item_notes={"churn": "x"}), 3)
    assert str(raised.value).endswith(
        "use one of the solution's keys: 'nps', 'arr', 'login_frequency'"
    )


def test_item_notes_need_literal_solution(project):
    solution = project / "solutions" / "q1" / "computed_owners.py"
    solution.write_text('answer = dict(nps="csm")\n', encoding="utf-8")

    def change(entry):
        entry.update(solution="q1/computed_owners.py", item_notes={"nps": "x"})

    with pytest.raises(RegistryError) as raised:
        load_with(project, change, 3)
    message = str(raised.value)
    assert "field `item_notes` needs q1/computed_owners.py to assign" in message
    assert message.endswith("write `answer = {...}` there, or remove item_notes")


def test_item_notes_loaded_by_key(project):
    def change(entry):
        entry.update(item_notes={"NPS": " NPS is how customers feel. "})

    registry = load_with(project, change, 3)
    owners = registry.get("q1.metric_owners")
    assert owners.item_notes == {"NPS": "NPS is how customers feel."}
    assert registry.get("q2.top_arr").item_notes == {}


def test_duplicate_id_rejected(project):
    exercises = entries()
    exercises[1]["id"] = exercises[0]["id"]
    with pytest.raises(RegistryError) as raised:
        load_registry(write_registry(project, exercises))
    assert "exercise q2.top_arr: field `id` is used twice" in str(raised.value)


def test_invalid_yaml_names_line(project):
    path = project / "exercises.yaml"
    path.write_text("exercises:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(RegistryError) as raised:
        load_registry(path)
    message = str(raised.value)
    assert "is not valid YAML at line" in message
    assert "\n" not in message


def test_missing_registry_file(tmp_path):
    with pytest.raises(RegistryError) as raised:
        load_registry(tmp_path / "absent.yaml")
    assert "cannot read the exercise registry" in str(raised.value)


def test_registry_without_exercise_list(project):
    path = project / "exercises.yaml"
    path.write_text("title: nothing\n", encoding="utf-8")
    with pytest.raises(RegistryError) as raised:
        load_registry(path)
    assert "a list under `exercises:`" in str(raised.value)


def test_registry_cached_until_file_changes(project):
    path = project / "exercises.yaml"
    first = load_registry(path)
    assert load_registry(path) is first
    exercises = entries()
    exercises[0]["title"] = "Renamed"
    write_registry(project, exercises)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = load_registry(path)
    assert second is not first
    assert second.get("q2.top_arr").title == "Renamed"


def test_unknown_id_lists_close_matches(project):
    with pytest.raises(UnknownExercise) as raised:
        load_registry().get("q2.top_ar")
    assert "did you mean q2.top_arr?" in str(raised.value)


def test_unknown_id_without_close_match(project):
    with pytest.raises(UnknownExercise) as raised:
        load_registry().get("zzz")
    assert "`python -m kit list` shows every exercise id" in str(raised.value)


def test_for_notebook_selects_exercises(project):
    ids = [exercise.id for exercise in load_registry().for_notebook("check-pass")]
    assert ids == ["q2.top_arr", "q2.retail_segments"]
