"""Notebook conventions: exercise cells and their answer part.

An exercise cell is a code cell with metadata ``{"kit": {"exercise": ID}}``
and the tag ``exercise``. Its source ends with the line
``check("ID", answer)``; everything before that line is the answer part,
which the candidate replaces and the solved notebook fills in.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kit.errors import NotebookError
from kit.registry import Exercise, Registry

if TYPE_CHECKING:
    import nbformat

EXERCISE_TAG = "exercise"
# A timestamped backup that `python -m kit reset` leaves beside a notebook.
BACKUP_SUFFIX = re.compile(r"\.\d{8}-\d{6}(-\d+)?$")


@dataclass
class ExerciseCell:
    """One exercise cell of a notebook."""

    index: int
    exercise_id: str
    answer_part: str
    check_line: str


def read_notebook(path: Path) -> nbformat.NotebookNode:
    # Imported here: nbformat loads jsonschema's format checkers, which take
    # over a second, and the kernel's `import kit` reads no notebook files.
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError as error:
        raise NotebookError(f"notebook {path} does not exist") from error
    except (OSError, ValueError) as error:
        raise NotebookError(f"cannot read notebook {path}: {error}") from error


def notebook_stem(path: Path) -> str:
    """Return the template name a notebook belongs to, without a backup stamp."""
    return BACKUP_SUFFIX.sub("", Path(path).stem)


def exercise_cells(notebook, path: Path) -> list[ExerciseCell]:
    """Return the exercise cells, raising NotebookError for a malformed one."""
    cells = []
    for index, cell in enumerate(notebook.cells):
        exercise_id = cell.get("metadata", {}).get("kit", {}).get("exercise")
        if cell.cell_type != "code" or exercise_id is None:
            continue
        if EXERCISE_TAG not in cell.metadata.get("tags", []):
            raise NotebookError(
                f"{path.name} cell {index + 1} ({exercise_id}) lacks the tag "
                f"`{EXERCISE_TAG}`: add it to the cell's tags"
            )
        cells.append(_split_cell(cell.source, index, exercise_id, path))
    return cells


def _split_cell(source: str, index: int, exercise_id: str, path: Path) -> ExerciseCell:
    lines = source.rstrip().splitlines()
    pattern = rf"""check\(\s*["']{re.escape(exercise_id)}["']\s*,\s*answer\s*\)"""
    if not lines or not re.fullmatch(pattern, lines[-1].strip()):
        raise NotebookError(
            f"{path.name} cell {index + 1} ({exercise_id}) does not end with "
            f'`check("{exercise_id}", answer)`: make that its last line'
        )
    return ExerciseCell(index, exercise_id, "\n".join(lines[:-1]), lines[-1])


def solved_answer_part(exercise: Exercise) -> str:
    """Return the answer part that the solution of ``exercise`` fills in."""
    text = exercise.solution_path.read_text(encoding="utf-8").strip("\n")
    if exercise.solution_path.suffix == ".py":
        return text
    if '"""' in text:
        raise NotebookError(
            f"solution {exercise.solution} contains triple quotes, which cannot "
            'sit inside answer = """...""": use single quotes in the SQL'
        )
    return f'answer = """\n{text}\n"""'


def solve_notebook(notebook, path: Path, registry: Registry):
    """Return a copy of a template with every answer part replaced by its solution.

    An exercise that uses exercises of another notebook gets their solutions
    first, in the first cell that needs them, since the candidate carries
    that work over from the other notebook.
    """
    solved = copy.deepcopy(notebook)
    carried: set[str] = set()
    for cell in exercise_cells(solved, path):
        exercise = registry.get(cell.exercise_id)
        parts = []
        for used in registry.uses_of(exercise):
            if used.notebook != exercise.notebook and used.id not in carried:
                carried.add(used.id)
                parts.append(f"# Carried over from {used.notebook}: {used.id}")
                parts.append(solved_answer_part(used))
        parts.append(solved_answer_part(exercise))
        answer = "\n".join(parts)
        solved.cells[cell.index].source = f"{answer}\n{cell.check_line}"
    return solved
