"""The catalogue of known mistakes: kit/catalogue.yaml loaded and validated.

Each entry names one mistake, the conditions that recognise it (the
vocabulary of kit.mistakes) and the message that names the mistake and its
fix. Exercises in exercises.yaml draw on entries by id with ``use:``. An
invalid entry raises RegistryError naming the entry, the field and the fix.
The parsed catalogue is cached per file path and modification time.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kit.errors import RegistryError
from kit.mistakes import condition_problem

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")
ENTRY_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
REQUIRED_FIELDS = ("id", "title", "message")
OPTIONAL_FIELDS = ("when",)


@dataclass(frozen=True)
class CatalogueEntry:
    """One known mistake of the catalogue."""

    id: str
    title: str
    # Conditions every use of the entry requires; empty when the exercise
    # gives them all, as for a mistake recognised by the shape of the result.
    when: dict
    message: str


class _Entry:
    """An entry being validated, so each check can raise with its label."""

    def __init__(self, file_name: str, entry: dict, position: int):
        self.entry = entry
        entry_id = entry.get("id")
        label = entry_id if isinstance(entry_id, str) and entry_id else None
        self.label = f"{file_name} entry {label or f'#{position} (no id)'}"

    def fail(self, field: str, problem: str, fix: str) -> None:
        raise RegistryError(f"{self.label}: field `{field}` {problem}: {fix}")


_cache: dict[Path, tuple[int, dict[str, CatalogueEntry]]] = {}


def catalogue_mtime(path: str | os.PathLike | None = None) -> int | None:
    """Return the catalogue file's modification time, or None when it is absent."""
    try:
        return Path(path or CATALOGUE_PATH).stat().st_mtime_ns
    except OSError:
        return None


def load_catalogue(path: str | os.PathLike | None = None) -> dict[str, CatalogueEntry]:
    """Load and validate the catalogue, by default kit/catalogue.yaml."""
    catalogue_file = Path(path) if path is not None else CATALOGUE_PATH
    mtime = catalogue_mtime(catalogue_file)
    if mtime is None:
        raise RegistryError(
            f"cannot read the mistake catalogue {catalogue_file.name}: the file is "
            "missing; restore kit/catalogue.yaml or remove `use:` from "
            "exercises.yaml"
        )
    cached = _cache.get(catalogue_file)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    entries = parse_catalogue(catalogue_file)
    _cache[catalogue_file] = (mtime, entries)
    return entries


def parse_catalogue(catalogue_file: Path) -> dict[str, CatalogueEntry]:
    name = catalogue_file.name
    try:
        document = yaml.safe_load(catalogue_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise RegistryError(
            f"{name} is not valid YAML{where}: quote text that contains "
            ": ? [ ] { } or #"
        ) from error
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise RegistryError(f"{name} must be a mapping with a list under `entries:`")
    entries: dict[str, CatalogueEntry] = {}
    for position, raw in enumerate(document["entries"], start=1):
        entry = _build_entry(name, raw, position)
        if entry.id in entries:
            raise RegistryError(
                f"{name} entry {entry.id}: field `id` is used twice: give each "
                "entry its own id"
            )
        entries[entry.id] = entry
    return entries


def _build_entry(file_name: str, raw, position: int) -> CatalogueEntry:
    if not isinstance(raw, dict):
        raise RegistryError(
            f"{file_name} entry #{position}: entry is not a mapping: write it as "
            "`- id: ...` followed by title, when and message"
        )
    checked = _Entry(file_name, raw, position)

    allowed = REQUIRED_FIELDS + OPTIONAL_FIELDS
    for field in raw:
        if field not in allowed:
            checked.fail(
                str(field), "is unknown", f"remove it; allowed: {', '.join(allowed)}"
            )
    for field in REQUIRED_FIELDS:
        if field not in raw:
            checked.fail(field, "is missing", _missing_fix(field))

    entry_id = raw["id"]
    if not isinstance(entry_id, str) or not ENTRY_ID_PATTERN.match(entry_id):
        checked.fail(
            "id", f"{entry_id!r} is invalid", "use a snake_case name such as no_filter"
        )
    for field in ("title", "message"):
        if not isinstance(raw[field], str) or not raw[field].strip():
            checked.fail(field, "is empty or not text", _missing_fix(field))

    when = raw.get("when", {})
    if not isinstance(when, dict):
        checked.fail(
            "when",
            "is not a mapping",
            "write conditions such as {parsed: count_star}, or leave `when` out",
        )
    for name, argument in when.items():
        problem = condition_problem(name, argument, None)
        if problem:
            checked.fail(f"when.{name}", *problem)

    return CatalogueEntry(
        id=entry_id,
        title=" ".join(raw["title"].split()),
        when=dict(when),
        message=" ".join(raw["message"].split()),
    )


def _missing_fix(field: str) -> str:
    return {
        "id": "add a snake_case id; exercises refer to the entry by it",
        "title": "add the mistake in a few words",
        "message": "write what the mistake is and how to fix it",
    }[field]
