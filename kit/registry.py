"""The exercise registry: exercises.yaml loaded, validated and cached.

Every entry is validated when the file loads, and an invalid entry raises
RegistryError naming the exercise, the field and the fix. The parsed
registry is cached per file path and modification time, so editing the file
takes effect on the next call without a kernel restart.
"""

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from kit import catalogue, paths
from kit.errors import RegistryError, UnknownExercise
from kit.mistakes import combine
from kit.registry_fields import validate_entry

# Answer kinds whose answer may be SQL text, and those compared as tables.
ANSWER_KINDS_TAKING_SQL = ("sql", "dataframe", "ids", "number")
TABLE_ANSWER_KINDS = ("sql", "dataframe")


@dataclass(frozen=True)
class SortKey:
    """One column of the order an answer must follow."""

    column: str
    descending: bool = False
    nulls: str = "last"


@dataclass(frozen=True)
class CompareRules:
    """How an answer is compared with the reference; fields by answer kind."""

    keys: tuple[str, ...] = ()
    sort: tuple[SortKey, ...] = ()
    tolerance: dict[str, float] | float | None = None
    column_order: bool = False
    # Mapping keys whose values are the candidate's own words: not compared
    # with the reference, only required and screened for ``jargon``.
    free_text: tuple[str, ...] = ()
    jargon: tuple[str, ...] = ()
    # The column whose classes the verdict scores by precision and recall.
    labels: str | None = None

    def column_tolerance(self, column: str) -> float | None:
        if isinstance(self.tolerance, dict):
            return self.tolerance.get(column.lower())
        return None


@dataclass(frozen=True)
class Mistake:
    """A known mistake: conditions that recognise it and what to tell the candidate."""

    id: str
    when: dict
    message: str
    # The catalogue entry the mistake draws on, or None for one local to the
    # exercise.
    entry: str | None = None


@dataclass(frozen=True)
class Exercise:
    """One registry entry."""

    id: str
    title: str
    notebook: str
    question_type: str
    audience: str
    answer: str
    solution: str
    solution_path: Path
    compare: CompareRules
    choices: tuple[str, ...]
    hints: tuple[str, ...]
    explanation: str
    mistakes: tuple[Mistake, ...]
    # The note per mapping key, as written in exercises.yaml: why the key
    # has its reference value.
    item_notes: dict[str, str]
    # Earlier exercises whose solutions run first in the same namespace, as
    # they do in the notebook, because this solution reads what they define.
    uses: tuple[str, ...] = ()

    @property
    def takes_sql(self) -> bool:
        return self.answer in ANSWER_KINDS_TAKING_SQL

    @property
    def takes_table(self) -> bool:
        return self.answer in TABLE_ANSWER_KINDS


class Registry:
    """Exercises by id, in file order."""

    def __init__(self, path: Path, exercises: list[Exercise]):
        self.path = path
        self.exercises = {exercise.id: exercise for exercise in exercises}

    def __iter__(self):
        return iter(self.exercises.values())

    def __len__(self) -> int:
        return len(self.exercises)

    def get(self, exercise_id: str) -> Exercise:
        """Return an exercise, raising UnknownExercise with close matches."""
        exercise = self.exercises.get(exercise_id)
        if exercise is not None:
            return exercise
        raise UnknownExercise(unknown_exercise_message(exercise_id, self.exercises))

    def uses_of(self, exercise: Exercise) -> list[Exercise]:
        """Return the exercises ``exercise`` uses, transitively, earliest first."""
        order: list[Exercise] = []

        def visit(current: Exercise) -> None:
            for used_id in current.uses:
                used = self.get(used_id)
                if used not in order:
                    visit(used)
                    order.append(used)

        visit(exercise)
        return order

    def for_notebook(self, stem: str) -> list[Exercise]:
        return [exercise for exercise in self if exercise.notebook == stem]


def unknown_exercise_message(exercise_id, known_ids) -> str:
    close = difflib.get_close_matches(str(exercise_id), list(known_ids), n=3)
    if close:
        suggestion = "did you mean " + " or ".join(close) + "?"
    else:
        suggestion = "`python -m kit list` shows every exercise id"
    return f"no exercise {exercise_id!r} in exercises.yaml: {suggestion}"


_cache: dict[Path, tuple[tuple, Registry]] = {}


def load_registry(path: str | os.PathLike | None = None) -> Registry:
    """Load and validate exercises.yaml, or the file at ``path``.

    Without ``path`` the file is $KIT_REGISTRY, else exercises.yaml in the
    project root. Solution files are looked up in solutions/ beside it.
    """
    registry_file = Path(path) if path is not None else paths.registry_path()
    try:
        # Editing the catalogue changes the exercises' mistakes too.
        mtime = (registry_file.stat().st_mtime_ns, catalogue.catalogue_mtime())
    except OSError as error:
        raise RegistryError(
            f"cannot read the exercise registry {registry_file}: "
            f"{error.strerror}; set $KIT_REGISTRY or create exercises.yaml"
        ) from error
    cached = _cache.get(registry_file)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    registry = parse_registry(registry_file)
    _cache[registry_file] = (mtime, registry)
    return registry


def parse_registry(registry_file: Path, catalogue_file: Path | None = None) -> Registry:
    """Parse and validate ``registry_file``; see load_registry.

    The catalogue, kit/catalogue.yaml unless ``catalogue_file`` is given, is
    read only when an exercise draws on it, so a release, whose registry has
    no mistakes, ships without it.
    """
    try:
        document = yaml.safe_load(registry_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RegistryError(_yaml_error_message(registry_file, error)) from error
    if not isinstance(document, dict) or not isinstance(
        document.get("exercises"), list
    ):
        raise RegistryError(
            f"{registry_file.name} must be a mapping with a list under `exercises:`"
        )
    solutions = paths.solutions_dir(registry_file)
    # A release ships the registry without solutions and marks itself with
    # its manifest beside the registry (kit.release_check).
    release = (registry_file.parent / "release.json").is_file()
    entries = {}
    if _draws_on_catalogue(document["exercises"]):
        entries = catalogue.load_catalogue(catalogue_file)
    exercises = []
    for position, entry in enumerate(document["exercises"], start=1):
        exercises.append(_build_exercise(entry, position, solutions, release, entries))
    seen = set()
    for exercise in exercises:
        if exercise.id in seen:
            raise RegistryError(
                f"exercise {exercise.id}: field `id` is used twice in "
                f"{registry_file.name}; give each exercise its own id"
            )
        for used in exercise.uses:
            if used not in seen or used == exercise.id:
                raise RegistryError(
                    f"exercise {exercise.id}: field `uses` names {used!r}, which "
                    f"is not an exercise listed before it in {registry_file.name}: "
                    "name only earlier exercises"
                )
        seen.add(exercise.id)
    return Registry(registry_file, exercises)


def _draws_on_catalogue(entries: list) -> bool:
    return any(
        isinstance(mistake, dict) and "use" in mistake
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("mistakes"), list)
        for mistake in entry["mistakes"]
    )


def _yaml_error_message(registry_file: Path, error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return (
        f"{registry_file.name} is not valid YAML{where}: {problem}; "
        "quote text that contains : ? [ ] { } or #"
    )


def _build_mistake(item: dict, entries: dict) -> Mistake:
    """Return a local mistake, or a catalogue entry refined for the exercise.

    A refined entry's message is the exercise's ``detail``, when it has one,
    followed by the catalogue's message.
    """
    if "use" not in item:
        return Mistake(id=item["id"], when=dict(item["when"]), message=item["message"])
    entry = entries[item["use"]]
    detail = " ".join(str(item.get("detail", "")).split())
    return Mistake(
        id=item.get("id", entry.id),
        when=combine(entry.when, item.get("when") or {}),
        message=f"{detail} {entry.message}".strip(),
        entry=entry.id,
    )


def _build_exercise(
    entry, position: int, solutions: Path, release: bool, entries: dict
) -> Exercise:
    validate_entry(entry, position, solutions, release=release, catalogue=entries)
    compare = entry.get("compare") or {}
    tolerance = compare.get("tolerance")
    if isinstance(tolerance, dict):
        tolerance = {str(k).lower(): float(v) for k, v in tolerance.items()}
    elif tolerance is not None:
        tolerance = float(tolerance)
    rules = CompareRules(
        keys=tuple(str(key).lower() for key in compare.get("keys", ())),
        sort=tuple(
            SortKey(
                column=str(key["column"]).lower(),
                descending=bool(key.get("descending", False)),
                nulls=key.get("nulls", "last"),
            )
            for key in compare.get("sort", ())
        ),
        tolerance=tolerance,
        column_order=bool(compare.get("column_order", False)),
        free_text=tuple(str(key) for key in compare.get("free_text", ())),
        jargon=tuple(str(term) for term in compare.get("jargon", ())),
        labels=str(compare["labels"]).lower() if "labels" in compare else None,
    )
    mistakes = tuple(
        _build_mistake(item, entries) for item in entry.get("mistakes", ())
    )
    return Exercise(
        id=entry["id"],
        title=entry["title"],
        notebook=entry["notebook"],
        question_type=entry["question_type"],
        audience=entry["audience"],
        answer=entry["answer"],
        solution=entry["solution"],
        solution_path=solutions / entry["solution"],
        compare=rules,
        choices=tuple(str(choice) for choice in entry.get("choices", ())),
        hints=tuple(entry["hints"]),
        explanation=entry["explanation"],
        mistakes=mistakes,
        uses=tuple(entry.get("uses", ())),
        item_notes={
            key: note.strip() for key, note in (entry.get("item_notes") or {}).items()
        },
    )
