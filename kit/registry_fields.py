"""Validation of one exercises.yaml entry, field by field.

Each problem raises RegistryError worded as
``exercise ID: field `NAME` PROBLEM: FIX``, so the message names the entry
to edit and how to fix it.
"""

import ast
import difflib
import re
from pathlib import Path

from kit.catalogue import CatalogueEntry
from kit.errors import RegistryError
from kit.mistakes import combine, condition_problem
from kit.normalize import mapping_key

ID_PATTERN = re.compile(r"^q[0-5]\.[a-z][a-z0-9_]*$")
NOTEBOOK_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
MISTAKE_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# The fields of a mistake drawn from the catalogue, and of one local to the
# exercise.
USE_FIELDS = ("use", "id", "when", "detail")
LOCAL_FIELDS = ("id", "when", "message")

QUESTION_TYPES = (
    "tour",
    "framing",
    "sql",
    "business_case",
    "stakeholder",
    "data_quality",
)
AUDIENCES = ("am", "csm", "both")
ANSWER_KINDS = ("sql", "dataframe", "ids", "mapping", "number", "choice")
SOLUTION_SUFFIXES = (".sql", ".py")

REQUIRED_FIELDS = (
    "id",
    "title",
    "notebook",
    "question_type",
    "audience",
    "answer",
    "solution",
    "hints",
    "explanation",
)
OPTIONAL_FIELDS = ("compare", "choices", "mistakes", "item_notes", "uses")

# The compare fields each answer kind accepts.
COMPARE_FIELDS = {
    "sql": ("keys", "sort", "tolerance", "column_order", "labels"),
    "dataframe": ("keys", "sort", "tolerance", "column_order", "labels"),
    "ids": (),
    "mapping": ("tolerance", "free_text", "jargon"),
    "number": ("tolerance",),
    "choice": (),
}
SORT_FIELDS = ("column", "descending", "nulls")


class _Entry:
    """An entry being validated, so each check can raise with its label."""

    def __init__(self, entry: dict, position: int):
        self.entry = entry
        exercise_id = entry.get("id")
        if isinstance(exercise_id, str) and exercise_id:
            self.label = exercise_id
        else:
            self.label = f"#{position} (no id)"

    def fail(self, field: str, problem: str, fix: str) -> None:
        raise RegistryError(f"exercise {self.label}: field `{field}` {problem}: {fix}")


def validate_entry(
    entry,
    position: int,
    solutions: Path,
    *,
    release: bool = False,
    catalogue: dict[str, CatalogueEntry] | None = None,
) -> None:
    """Raise RegistryError unless ``entry`` is a valid exercise.

    In a release the solution files are absent by design, so only the
    names of the solution files are checked. ``catalogue`` holds the
    entries that ``use:`` may name.
    """
    if not isinstance(entry, dict):
        raise RegistryError(
            f"exercise #{position}: entry is not a mapping: write it as "
            "`- id: ...` followed by its fields"
        )
    checked = _Entry(entry, position)
    _check_field_names(checked)
    _check_id(checked)
    _check_text(checked, "title")
    _check_text(checked, "explanation")
    _check_notebook(checked)
    _check_choice_of(checked, "question_type", QUESTION_TYPES)
    _check_choice_of(checked, "audience", AUDIENCES)
    _check_choice_of(checked, "answer", ANSWER_KINDS)
    _check_solution(checked, solutions, release)
    _check_hints(checked)
    _check_compare(checked)
    _check_choices(checked)
    _check_mistakes(checked, catalogue or {})
    _check_uses(checked)
    if not release:
        _check_item_notes(checked, solutions)


def _check_field_names(checked: _Entry) -> None:
    allowed = REQUIRED_FIELDS + OPTIONAL_FIELDS
    for name in checked.entry:
        if name not in allowed:
            checked.fail(
                str(name), "is unknown", f"remove it; allowed: {', '.join(allowed)}"
            )
    for name in REQUIRED_FIELDS:
        if name not in checked.entry:
            checked.fail(name, "is missing", "add it")


def _check_id(checked: _Entry) -> None:
    value = checked.entry["id"]
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        checked.fail(
            "id",
            f"{value!r} is invalid",
            "write q<question 0-5>.<snake_case_name>, for example q2.at_risk_top100",
        )


def _check_text(checked: _Entry, field: str) -> None:
    value = checked.entry[field]
    if not isinstance(value, str) or not value.strip():
        checked.fail(field, "is empty or not text", "write it as a string")


def _check_notebook(checked: _Entry) -> None:
    value = checked.entry["notebook"]
    if not isinstance(value, str) or not NOTEBOOK_PATTERN.match(value):
        checked.fail(
            "notebook",
            f"{value!r} is not a notebook stem",
            "give the file name in notebooks/ without .ipynb, "
            "for example 02_sql_churn_risk",
        )


def _check_choice_of(checked: _Entry, field: str, allowed: tuple[str, ...]) -> None:
    value = checked.entry[field]
    if value not in allowed:
        checked.fail(field, f"{value!r} is invalid", f"use one of {', '.join(allowed)}")


def _check_solution(checked: _Entry, solutions: Path, release: bool) -> None:
    value = checked.entry["solution"]
    if not isinstance(value, str) or Path(value).suffix not in SOLUTION_SUFFIXES:
        checked.fail(
            "solution",
            f"{value!r} is not a .sql or .py file name",
            "give a path under solutions/, for example q2/at_risk_top100.sql",
        )
    if Path(value).is_absolute() or ".." in Path(value).parts:
        checked.fail(
            "solution", f"{value!r} is outside solutions/", "give a relative path"
        )
    if not release and not (solutions / value).is_file():
        checked.fail(
            "solution",
            f"names {value}, which is missing from {solutions}",
            "create the file or correct the path",
        )


def _check_hints(checked: _Entry) -> None:
    hints = checked.entry["hints"]
    valid = isinstance(hints, list) and hints
    if not valid or not all(isinstance(h, str) and h.strip() for h in hints):
        checked.fail(
            "hints", "is not a list of text", "give at least one hint, gentle first"
        )


def _check_compare(checked: _Entry) -> None:
    kind = checked.entry["answer"]
    compare = checked.entry.get("compare")
    takes_table = kind in ("sql", "dataframe")
    if compare is None and not takes_table:
        return
    if not isinstance(compare, dict):
        checked.fail(
            "compare",
            "is missing or not a mapping",
            f"answer: {kind} needs `compare: {{keys: [COLUMN, ...]}}`",
        )
    for name in compare:
        if name not in COMPARE_FIELDS[kind]:
            allowed = ", ".join(COMPARE_FIELDS[kind]) or "nothing"
            checked.fail(
                f"compare.{name}",
                f"does not apply to answer: {kind}",
                f"remove it; answer: {kind} accepts {allowed}",
            )
    if takes_table:
        _check_keys(checked, compare.get("keys"))
        _check_sort(checked, compare.get("sort", []))
        if "labels" in compare:
            _check_labels(checked, compare["labels"], compare.get("keys"))
    if "tolerance" in compare:
        _check_tolerance(checked, compare["tolerance"], per_column=takes_table)
    if not isinstance(compare.get("column_order", False), bool):
        checked.fail("compare.column_order", "is not true or false", "write a boolean")
    for name in ("free_text", "jargon"):
        values = compare.get(name, [])
        if not isinstance(values, list) or not all(
            isinstance(value, str) and value.strip() for value in values
        ):
            checked.fail(
                f"compare.{name}",
                "is not a list of non-empty strings",
                f"write it as {name}: [TEXT, ...]",
            )


def _check_keys(checked: _Entry, keys) -> None:
    valid = isinstance(keys, list) and keys
    if not valid or not all(isinstance(key, str) and key for key in keys):
        checked.fail(
            "compare.keys",
            "is missing or empty",
            "list the columns that identify a row, for example [merchant_id]",
        )


def _check_labels(checked: _Entry, labels, keys) -> None:
    """``labels`` names the column whose classes get precision and recall."""
    if not isinstance(labels, str) or not labels.strip():
        checked.fail(
            "compare.labels",
            f"{labels!r} is not a column name",
            "name the column that holds each row's class, for example cause",
        )
    if labels.lower() in [str(key).lower() for key in keys]:
        checked.fail(
            "compare.labels",
            f"names the key column {labels!r}",
            "name a column that is not in compare.keys",
        )


def _check_sort(checked: _Entry, sort) -> None:
    if not isinstance(sort, list):
        checked.fail(
            "compare.sort", "is not a list", "write [{column: NAME, descending: true}]"
        )
    for key in sort:
        if not isinstance(key, dict) or not isinstance(key.get("column"), str):
            checked.fail(
                "compare.sort",
                f"item {key!r} has no column",
                "write {column: NAME, descending: true, nulls: last}",
            )
        unknown = sorted(set(key) - set(SORT_FIELDS))
        if unknown:
            checked.fail(
                "compare.sort",
                f"item has unknown fields {unknown}",
                f"use only {', '.join(SORT_FIELDS)}",
            )
        if not isinstance(key.get("descending", False), bool):
            checked.fail("compare.sort", "descending is not a boolean", "write true")
        if key.get("nulls", "last") not in ("first", "last"):
            checked.fail("compare.sort", "nulls is invalid", "write first or last")


def _check_tolerance(checked: _Entry, tolerance, *, per_column: bool) -> None:
    if per_column:
        if not isinstance(tolerance, dict):
            checked.fail(
                "compare.tolerance",
                "is not a mapping",
                "give an absolute tolerance per column, for example {arr: 0.01}",
            )
        values = tolerance.values()
    else:
        values = [tolerance]
    for value in values:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or value < 0:
            checked.fail(
                "compare.tolerance",
                f"{value!r} is not a non-negative number",
                "give an absolute tolerance such as 0.01",
            )


def _check_choices(checked: _Entry) -> None:
    kind = checked.entry["answer"]
    choices = checked.entry.get("choices")
    if kind != "choice":
        if choices is not None:
            checked.fail("choices", f"does not apply to answer: {kind}", "remove it")
        return
    valid = isinstance(choices, list) and len(choices) >= 2
    if not valid or not all(isinstance(c, str) and c.strip() for c in choices):
        checked.fail(
            "choices",
            "is missing or has fewer than two options",
            "list the options, for example [am, csm]",
        )
    lowered = [choice.strip().lower() for choice in choices]
    if len(set(lowered)) != len(lowered):
        checked.fail("choices", "repeats an option", "list each option once")


def _check_mistakes(checked: _Entry, catalogue: dict[str, CatalogueEntry]) -> None:
    """Check the known mistakes; an id may repeat to give alternative conditions."""
    mistakes = checked.entry.get("mistakes", [])
    if not isinstance(mistakes, list):
        checked.fail(
            "mistakes",
            "is not a list",
            "write a list of {use: ENTRY, when, detail} or {id, when, message}",
        )
    for mistake in mistakes:
        if isinstance(mistake, dict) and "use" in mistake:
            _check_use(checked, mistake, catalogue)
        else:
            _check_mistake(checked, mistake)


def _check_use(
    checked: _Entry, mistake: dict, catalogue: dict[str, CatalogueEntry]
) -> None:
    """Check a mistake drawn from the catalogue and refined for the exercise."""
    unknown = sorted(set(mistake) - set(USE_FIELDS))
    if unknown:
        checked.fail(
            f"mistakes.{mistake['use']}",
            f"has unknown fields {unknown}",
            f"use only {', '.join(USE_FIELDS)}; the message comes from the catalogue",
        )
    name = mistake["use"]
    entry = catalogue.get(name) if isinstance(name, str) else None
    if entry is None:
        checked.fail("mistakes.use", *_unknown_entry(mistake["use"], catalogue))
    mistake_id = mistake.get("id", entry.id)
    if not isinstance(mistake_id, str) or not MISTAKE_ID_PATTERN.match(mistake_id):
        checked.fail(
            f"mistakes.{entry.id}.id", f"{mistake_id!r} is invalid", "use snake_case"
        )
    label = f"mistakes.{mistake_id}"
    detail = mistake.get("detail")
    if detail is not None:
        if not isinstance(detail, str) or not detail.strip():
            checked.fail(f"{label}.detail", "is empty", "write it, or leave it out")
        _check_not_copied(checked, label, detail, entry)
    when = mistake.get("when", {})
    if not isinstance(when, dict):
        checked.fail(f"{label}.when", "is not a mapping", "write {CONDITION: ...}")
    combined = combine(entry.when, when)
    if not combined:
        checked.fail(
            f"{label}.when",
            f"is missing, and catalogue entry {entry.id} has no conditions of its own",
            "say how this exercise shows the mistake, for example "
            "{differs: {column: total_arr, direction: higher}}",
        )
    _check_conditions(checked, label, combined, from_entry=entry.when.keys() - when)


def _unknown_entry(name, catalogue: dict[str, CatalogueEntry]) -> tuple[str, str]:
    close = difflib.get_close_matches(str(name), list(catalogue), n=3)
    hint = f"did you mean {' or '.join(close)}?" if close else "check the spelling"
    return (
        f"names {name!r}, which kit/catalogue.yaml does not list",
        f"{hint} Add the entry to kit/catalogue.yaml or name an existing one",
    )


def _check_not_copied(
    checked: _Entry, label: str, detail: str, entry: CatalogueEntry
) -> None:
    """Reject a detail that repeats a sentence of the catalogue's message."""
    said = " ".join(detail.split()).lower()
    for sentence in re.split(r"(?<=[.!?])\s+", entry.message):
        if len(sentence) > 20 and sentence.lower() in said:
            checked.fail(
                f"{label}.detail",
                f"repeats the catalogue's sentence {sentence!r}",
                "keep only what is particular to this exercise; the catalogue's "
                "message is shown after it",
            )


def _check_mistake(checked: _Entry, mistake) -> None:
    if not isinstance(mistake, dict) or set(mistake) != set(LOCAL_FIELDS):
        checked.fail(
            "mistakes",
            f"item {mistake!r} is invalid",
            "give exactly id, when and message, or use (a catalogue entry) "
            "with optional id, when and detail",
        )
    mistake_id = mistake["id"]
    if not isinstance(mistake_id, str) or not MISTAKE_ID_PATTERN.match(mistake_id):
        checked.fail(
            "mistakes", f"id {mistake_id!r} is invalid", "use a snake_case name"
        )
    if not isinstance(mistake["message"], str) or not mistake["message"].strip():
        checked.fail(f"mistakes.{mistake_id}.message", "is empty", "write the message")
    when = mistake["when"]
    if not isinstance(when, dict) or not when:
        checked.fail(
            f"mistakes.{mistake_id}.when",
            "is empty or not a mapping",
            "give at least one condition, for example {duplicate_keys: true}",
        )
    _check_conditions(checked, f"mistakes.{mistake_id}", when)


def _check_conditions(
    checked: _Entry, label: str, when: dict, from_entry=frozenset()
) -> None:
    kind = checked.entry["answer"]
    for name, argument in when.items():
        problem = condition_problem(name, argument, kind)
        if problem is None:
            continue
        field = f"{label}.when.{name}"
        if name in from_entry:
            problem = (f"{problem[0]} (the catalogue entry sets it)", problem[1])
        checked.fail(field, *problem)


def _check_uses(checked: _Entry) -> None:
    """``uses`` lists exercise ids; registry.py checks that they come earlier."""
    uses = checked.entry.get("uses", [])
    if not isinstance(uses, list) or not all(
        isinstance(item, str) and item for item in uses
    ):
        checked.fail(
            "uses",
            "is not a list of exercise ids",
            "write it as [q3.some_exercise, ...]",
        )


def _check_item_notes(checked: _Entry, solutions: Path) -> None:
    """Check that each note is text and names a key of the solution's mapping."""
    notes = checked.entry.get("item_notes")
    if notes is None:
        return
    kind = checked.entry["answer"]
    if kind != "mapping":
        checked.fail(
            "item_notes",
            f"does not apply to answer: {kind}",
            "remove it; only answer: mapping takes item notes",
        )
    if not isinstance(notes, dict) or not notes:
        checked.fail(
            "item_notes",
            "is empty or not a mapping",
            "write {KEY: why the key has its value}, one note per key",
        )
    solution = checked.entry["solution"]
    solution_keys = _solution_mapping_keys(solutions / solution)
    if solution_keys is None:
        checked.fail(
            "item_notes",
            f"needs {solution} to assign `answer` a dict literal, so that the "
            "notes' keys can be checked",
            "write `answer = {...}` there, or remove item_notes",
        )
    by_key = {mapping_key(key): key for key in solution_keys}
    seen = {}
    for key, note in notes.items():
        field = f"item_notes.{key}"
        normalized = mapping_key(key)
        if normalized in seen:
            checked.fail(
                field,
                f"names the same key as `item_notes.{seen[normalized]}`",
                "keep one note per key",
            )
        seen[normalized] = key
        if normalized not in by_key:
            checked.fail(
                field,
                f"is not a key of the mapping in {solution}",
                _key_fix(key, solution_keys),
            )
        if not isinstance(note, str) or not note.strip():
            checked.fail(
                field, "is empty or not text", "write why the key has its value"
            )


def _solution_mapping_keys(path: Path) -> list | None:
    """Return the keys of the dict literal that a .py solution assigns to ``answer``.

    Returns None when the solution is not Python or its last top-level
    assignment to ``answer`` is not a dict literal.
    """
    if path.suffix != ".py":
        return None
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    value = None
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "answer"
            for target in statement.targets
        ):
            value = statement.value
    if not isinstance(value, ast.Dict):
        return None
    try:
        return list(ast.literal_eval(value))
    except (ValueError, TypeError, SyntaxError):
        return None


def _key_fix(key, solution_keys: list) -> str:
    close = difflib.get_close_matches(
        str(mapping_key(key)), [str(mapping_key(k)) for k in solution_keys], n=1
    )
    if close:
        original = next(k for k in solution_keys if str(mapping_key(k)) == close[0])
        return f"use one of the solution's keys; did you mean {original!r}?"
    listed = ", ".join(repr(k) for k in solution_keys)
    return f"use one of the solution's keys: {listed}"
