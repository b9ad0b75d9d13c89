"""`python -m kit build-solutions`: lay and execute the solved notebooks.

Each template in notebooks/ gets its exercise cells' answer parts replaced by
the solutions, is executed in a fresh kernel with KIT_STRICT=1 (so a
solution that fails its own check fails the build), and is written with its
outputs to solutions/notebooks/. The kernel runs in notebooks/, so it finds
the project's dataset as a candidate's kernel would, and records progress in
a temporary file, so the candidate's progress is untouched. Install paths in
tracebacks and random widget ids are removed, so that rebuilding unchanged
notebooks writes the same files.
"""

import contextlib
import json
import logging
import os
import re
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from kit import paths
from kit.errors import NotebookError
from kit.notebooks import read_notebook, solve_notebook
from kit.registry import load_registry

log = logging.getLogger(__name__)

CELL_TIMEOUT_SECONDS = 600
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_MODEL_REFERENCE = re.compile(r"IPY_MODEL_([0-9a-f]{32})")

# A traceback entry of a frame in a file, such as an installed library. Its
# absolute path differs between machines. Frames of notebook cells read
# "Cell In[..]" instead.
_FILE_FRAME = re.compile(r"^(\x1b\[[0-9;]*m)*File ")


def build_solutions(*, check_only: bool = False) -> int:
    """Build every solved notebook, or with ``check_only`` report stale ones.

    Returns the exit status: 0 when all were built or are current, 1 when
    ``check_only`` found a stale or missing solved notebook.
    """
    templates = sorted(paths.templates_dir().glob("*.ipynb"))
    if not templates:
        raise NotebookError(f"no notebook templates in {paths.templates_dir()}")
    registry = load_registry()
    target_dir = paths.solved_notebooks_dir()
    stale = []
    for template in templates:
        solved = solve_notebook(read_notebook(template), template, registry)
        target = target_dir / template.name
        if check_only:
            problem = _staleness(solved, target)
            if problem:
                stale.append(f"{target.name}: {problem}")
            continue
        print(f"Executing {template.name} ...", flush=True)
        _execute(solved, template)
        _trim_tracebacks(solved)
        _number_widgets(solved)
        target_dir.mkdir(parents=True, exist_ok=True)
        nbformat.write(solved, target)
        print(f"Wrote {target.relative_to(paths.project_root())}")
    for line in stale:
        print(f"stale: {line}")
    if stale:
        print("Run `python -m kit build-solutions` and commit the result.")
        return 1
    return 0


def _staleness(solved, target: Path) -> str | None:
    """Return why the committed solved notebook differs from ``solved``, if it does."""
    if not target.is_file():
        return "missing"
    committed = read_notebook(target)
    expected = [(cell.cell_type, cell.source) for cell in solved.cells]
    found = [(cell.cell_type, cell.source) for cell in committed.cells]
    if len(expected) != len(found):
        return f"{len(found)} cells, expected {len(expected)}"
    for number, (want, have) in enumerate(zip(expected, found, strict=True), 1):
        if want != have:
            return f"cell {number} differs"
    return None


def _execute(notebook, template: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="kit-build-") as scratch:
        progress = str(Path(scratch) / "progress.json")
        with _environment(KIT_PROGRESS=progress, KIT_STRICT="1"):
            client = NotebookClient(
                notebook,
                timeout=CELL_TIMEOUT_SECONDS,
                # Timestamps would make every rebuild differ from the last.
                record_timing=False,
                resources={"metadata": {"path": str(template.parent)}},
            )
            try:
                client.execute()
            except CellExecutionError as error:
                raise NotebookError(
                    f"{template.name} failed while executing its solutions: "
                    f"{_first_line(error)}. Fix the solution or the notebook"
                ) from error


def _trim_tracebacks(notebook) -> None:
    """Drop the frames of files from error outputs, keeping the cell's own frames.

    The cells tagged ``raises-exception`` show an expected error. Frames inside
    installed libraries carry the install path, so a rebuild on another
    machine would change the committed notebook for no reason.
    """
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [
                    entry
                    for entry in output["traceback"]
                    if not _FILE_FRAME.match(entry)
                ]


def _number_widgets(notebook) -> None:
    """Replace the random ids of widget models by numbers.

    ipywidgets names each model with a new UUID, so without this every
    rebuild of a notebook with widgets would change its committed outputs.
    Models are numbered in the order the outputs display them, each followed
    by the models it refers to, so the numbers follow the notebook.
    """
    widgets = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {})
    state = widgets.get("state")
    if not state:
        return
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in state and model_id not in order:
            order.append(model_id)
            for child in _MODEL_REFERENCE.findall(json.dumps(state[model_id])):
                visit(child)

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW, {})
            visit(view.get("model_id", ""))
    referenced = set(_MODEL_REFERENCE.findall(json.dumps(state)))
    unshown = [model for model in state if model not in order]
    # Models no output shows and no model refers to, ordered by their content.
    for model_id in sorted(
        (model for model in unshown if model not in referenced),
        key=lambda model: json.dumps(state[model], sort_keys=True),
    ):
        visit(model_id)
    order += [model for model in state if model not in order]

    numbers = {model: f"{number:032x}" for number, model in enumerate(order, 1)}
    text = json.dumps(notebook)
    text = re.sub("|".join(numbers), lambda match: numbers[match[0]], text)
    renumbered = nbformat.from_dict(json.loads(text))
    state = renumbered.metadata.widgets[WIDGET_STATE].state
    renumbered.metadata.widgets[WIDGET_STATE].state = dict(sorted(state.items()))
    notebook.clear()
    notebook.update(renumbered)


def _first_line(error: CellExecutionError) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "CheckFailed" in line:
            return line.strip()
    return lines[-1].strip() if lines else type(error).__name__


@contextlib.contextmanager
def _environment(**values: str):
    """Set environment variables for the kernel subprocess, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
