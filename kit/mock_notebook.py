"""Lay out a mock interview notebook from the templates' exercise cells.

Each question brings along what its template shows before it: the
markdown and code cells between the previous exercise cell and its own,
and the earlier code cells that define a name the question reads (such as
``inputs`` or ``alerts``). A code cell is kept only when every name it
reads is defined by then, so a cell that plots another exercise's
``answer`` is left out. The solutions of the exercises a question uses
(registry field ``uses``) come first, as given work, as solve_notebook
carries solutions across notebooks.
"""

import ast
import builtins
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from kit import paths
from kit.notebooks import exercise_cells, read_notebook, solved_answer_part
from kit.registry import Exercise, Registry

AUDIENCE_KEY = "audience_for"
BUILTIN_NAMES = set(dir(builtins))
SESSION_IMPORT = (
    "from kit.mock_session import audience, check, finish, hint, solution, start"
)


def read_names(source: str) -> tuple[set[str], set[str]] | None:
    """Return the names a cell reads before defining and those it defines.

    Returns None for a cell that is not plain Python, such as a ``%%sql``
    cell.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    reads, defines = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (reads if isinstance(node.ctx, ast.Load) else defines).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            defines.add(node.name)
            defines.update(
                arg.arg for arg in ast.walk(node) if isinstance(arg, ast.arg)
            )
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                defines.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.comprehension):
            defines.update(
                n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)
            )
    return reads - defines - BUILTIN_NAMES, defines


def setup_imports(templates: list[Path]) -> list[str]:
    """Return the imports of the templates' first code cells, merged per module."""
    plain: list[str] = []
    from_module: dict[str, list[str]] = {}
    for template in templates:
        notebook = read_notebook(template)
        first = next(cell for cell in notebook.cells if cell.cell_type == "code")
        for node in ast.parse(first.source).body:
            if isinstance(node, ast.Import):
                plain.extend(ast.get_source_segment(first.source, node).splitlines())
            elif isinstance(node, ast.ImportFrom):
                names = from_module.setdefault(node.module, [])
                names.extend(
                    alias.name + (f" as {alias.asname}" if alias.asname else "")
                    for alias in node.names
                )
    lines = sorted(set(plain))
    lines += [
        f"from {module} import {', '.join(sorted(set(names)))}"
        for module, names in sorted(from_module.items())
    ]
    return lines


def _defined(source: str) -> set[str]:
    names = read_names(source)
    return names[1] - {"answer"} if names else set()


def question_context(notebook, template: Path, exercise: Exercise) -> list:
    """Return the template's cells that set up ``exercise``, in notebook order."""
    cells = notebook.cells
    exercises = exercise_cells(notebook, template)
    position = next(i for i, c in enumerate(exercises) if c.exercise_id == exercise.id)
    own = exercises[position].index
    setup = next(i for i, cell in enumerate(cells) if cell.cell_type == "code")
    section_start = exercises[position - 1].index + 1 if position else setup + 1
    exercise_indexes = {cell.index for cell in exercises}
    section = list(range(section_start, own))
    needed = set(read_names(cells[own].source)[0])
    for index in section:
        cell = cells[index]
        if cell.cell_type == "markdown":
            needed.update(re.findall(r"`([A-Za-z_]\w*)`", cell.source))
        elif (names := read_names(cell.source)) is not None:
            needed.update(names[0])
    earlier = [
        index
        for index in range(setup + 1, section_start)
        if cells[index].cell_type == "code" and index not in exercise_indexes
    ]
    chosen: set[int] = set()
    changed = True
    while changed:
        changed = False
        for index in earlier:
            if index not in chosen and _defined(cells[index].source) & needed:
                chosen.add(index)
                needed.update(read_names(cells[index].source)[0])
                changed = True
    return [cells[index] for index in sorted(chosen) + section]


def _keep_runnable(cells: list, available: set[str]) -> list:
    """Return the cells whose names are all defined by then, defining as they go."""
    kept = []
    for cell in cells:
        if cell.cell_type == "code":
            names = read_names(cell.source)
            if names is not None:
                if not names[0] <= available:
                    # The markdown just above a dropped cell introduces it.
                    if kept and kept[-1].cell_type == "markdown":
                        kept.pop()
                    continue
                available |= names[1] - {"answer"}
        kept.append(_copy_cell(cell))
    return kept


def _copy_cell(cell):
    if cell.cell_type == "markdown":
        # The templates number their sections; a mock question has no number.
        source = re.sub(r"^## \d+\. ", "### ", cell.source, flags=re.MULTILINE)
        return new_markdown_cell(source, metadata=dict(cell.metadata))
    return new_code_cell(cell.source, metadata=dict(cell.metadata))


def audience_cell(
    exercise_id: str, number: int, who: str = ""
) -> nbformat.NotebookNode:
    source = (
        f"# Before you start question {number}: who consumes the answer?\n"
        f'audience("{exercise_id}", "{who}")  # "am", "csm" or "both"'
    )
    return new_code_cell(source, metadata={"kit": {AUDIENCE_KEY: exercise_id}})


def build_notebook(
    exercises: list[Exercise], registry: Registry, minutes: int, seed: int
) -> nbformat.NotebookNode:
    """Return the mock notebook for ``exercises``, in that order."""
    templates = [paths.templates_dir() / f"{e.notebook}.ipynb" for e in exercises]
    imports = setup_imports(templates)
    setup_source = "\n".join([*imports, SESSION_IMPORT, "", "con = start()"])
    available = {"con"}
    for statement in [*imports, SESSION_IMPORT]:
        available |= _defined(statement)
    cells = [new_markdown_cell(_introduction(exercises, minutes, seed))]
    cells.append(new_code_cell(setup_source))
    for number, exercise in enumerate(exercises, start=1):
        template = paths.templates_dir() / f"{exercise.notebook}.ipynb"
        notebook = read_notebook(template)
        heading = _question_heading(number, len(exercises), exercise)
        cells.append(new_markdown_cell(heading))
        cells.append(audience_cell(exercise.id, number))
        used = registry.uses_of(exercise)
        if used:
            cells.append(_given_cell(used))
            available |= _defined(cells[-1].source)
        context = question_context(notebook, template, exercise)
        cells.extend(_keep_runnable(context, available))
        own = next(
            cell
            for cell in notebook.cells
            if cell.get("metadata", {}).get("kit", {}).get("exercise") == exercise.id
        )
        cells.append(_copy_cell(own))
        available |= _defined(own.source)
    cells.append(new_markdown_cell(_closing()))
    cells.append(new_code_cell("finish()"))
    mock = new_notebook(cells=cells)
    mock.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return mock


def _given_cell(used: list[Exercise]) -> nbformat.NotebookNode:
    """Return a cell with the solutions of ``used``, each under a heading comment."""
    parts = []
    for exercise in used:
        parts.append(f"# Given: the work of {exercise.id}")
        parts.append(solved_answer_part(exercise))
    return new_code_cell("\n".join(parts))


def solve_mock(notebook, path: Path, registry: Registry):
    """Return a copy of a mock with every answer and audience filled in.

    The work a question uses is already given in the mock, so each exercise
    cell gets only its own solution.
    """
    solved = nbformat.from_dict(nbformat.reads(nbformat.writes(notebook), 4))
    for cell in exercise_cells(solved, path):
        exercise = registry.get(cell.exercise_id)
        solved.cells[
            cell.index
        ].source = f"{solved_answer_part(exercise)}\n{cell.check_line}"
    for number, cell in enumerate(audience_cells(solved), start=1):
        exercise_id = cell.metadata["kit"][AUDIENCE_KEY]
        replacement = audience_cell(
            exercise_id, number, registry.get(exercise_id).audience
        )
        cell.source = replacement.source
    return solved


def audience_cells(notebook) -> list:
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code"
        and AUDIENCE_KEY in cell.get("metadata", {}).get("kit", {})
    ]


def _introduction(exercises: list[Exercise], minutes: int, seed: int) -> str:
    return (
        "# Mock interview\n\n"
        f"{len(exercises)} questions, one of each type, in {minutes} minutes, on a "
        "dataset you "
        f"have not seen (mock seed {seed}). Run the next cell to start the clock.\n\n"
        "Interviewers listen first for *who consumes this analysis*. Before you "
        'work on a question, run its audience cell with `"am"`, `"csm"` or '
        '`"both"`: the grade counts whether it is right and whether you stated '
        "it before your first checked attempt.\n\n"
        "Every `check` shows the time left. An answer first checked correct after "
        "the limit is graded as late and does not count towards the total. Hints "
        "and solutions are off. `%%sql` works as in the practice notebooks.\n\n"
        "When you are done, run the last cell, save the notebook and run "
        "`python -m kit mock --grade` with this folder."
    )


def _question_heading(number: int, total: int, exercise: Exercise) -> str:
    kind = exercise.question_type.replace("_", " ")
    return f"## Question {number} of {total}: {kind}\n\n**{exercise.title}**"


def _closing() -> str:
    return (
        "## Finish\n\n"
        "Run this cell to stop the clock, save the notebook, then grade it with "
        "`python -m kit mock --grade` and this folder."
    )
