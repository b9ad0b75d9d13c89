"""The notebooks as candidates and CI run them: real kernels, real nbval."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kit import paths
from kit.registry import load_registry

TEMPLATES = sorted(paths.templates_dir().glob("*.ipynb"))
SOLVED = paths.solutions_dir() / "notebooks"


def exercise_cells(notebook_path: Path) -> dict[str, nbformat.NotebookNode]:
    notebook = nbformat.read(notebook_path, as_version=4)
    return {
        cell.metadata["kit"]["exercise"]: cell
        for cell in notebook.cells
        if "kit" in cell.metadata
    }


def kit_env(dataset: Path, tmp_path: Path, **extra) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KIT_DB=str(dataset),
        KIT_PROGRESS=str(tmp_path / "progress.json"),
        KIT_WORKSPACE=str(tmp_path / "workspace"),
        **extra,
    )
    return env


def test_every_exercise_has_one_cell():
    in_notebooks: dict[str, str] = {}
    for template in TEMPLATES:
        for exercise_id in exercise_cells(template):
            assert exercise_id not in in_notebooks, f"{exercise_id} appears twice"
            in_notebooks[exercise_id] = template.stem
    for exercise in load_registry():
        assert in_notebooks.get(exercise.id) == exercise.notebook, exercise.id
    assert set(in_notebooks) == {exercise.id for exercise in load_registry()}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_template_ships_without_outputs(template):
    notebook = nbformat.read(template, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {cell.id} has outputs"
            assert cell.execution_count is None, f"cell {cell.id} was executed"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.stem)
def test_blank_template_reports_not_attempted(
    template, default_dataset, tmp_path, monkeypatch
):
    for name, value in kit_env(default_dataset, tmp_path).items():
        if name.startswith("KIT_"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("KIT_STRICT", raising=False)
    notebook = nbformat.read(template, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(template.parent)}},
    )

    client.execute()

    for cell in notebook.cells:
        if "kit" not in cell.metadata:
            continue
        exercise_id = cell.metadata["kit"]["exercise"]
        text = "".join(output.get("text", "") for output in cell.outputs)
        assert text.startswith(f"Not attempted: {exercise_id}"), text


def test_solved_notebooks_are_fresh():
    completed = subprocess.run(
        [sys.executable, "-m", "kit", "build-solutions", "--check"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_self_check_passes_on_solved_notebooks(default_dataset, tmp_path):
    solved = sorted(SOLVED.glob("*.ipynb"))
    assert [p.name for p in solved] == [p.name for p in TEMPLATES]

    completed = subprocess.run(
        [sys.executable, "-m", "kit", "check", *map(str, solved)],
        capture_output=True,
        text=True,
        env=kit_env(default_dataset, tmp_path),
    )

    assert completed.returncode == 0, (
        completed.stdout[-3000:] + completed.stderr[-2000:]
    )
    for exercise in load_registry():
        assert exercise.id in completed.stdout


def test_self_check_fails_on_blank_templates(default_dataset, tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "kit", "check", *map(str, TEMPLATES)],
        capture_output=True,
        text=True,
        env=kit_env(default_dataset, tmp_path),
    )

    assert completed.returncode == 1, (
        completed.stdout[-3000:] + completed.stderr[-2000:]
    )
    table = completed.stdout.splitlines()
    for exercise in load_registry():
        rows = [line for line in table if exercise.id in line.split()]
        assert rows, f"{exercise.id} is missing from the table"
        assert "not attempted" in rows[-1], rows[-1]


def test_carried_work_comes_once_before_its_first_use():
    solved = nbformat.read(
        Path(paths.solved_notebooks_dir(), "04_explaining_health_to_am.ipynb"),
        as_version=4,
    )
    sources = [cell.source for cell in solved.cells if cell.cell_type == "code"]
    carried = [source for source in sources if "Carried over from" in source]

    assert len(carried) == 1
    assert "def health_score(" in carried[0]
    assert "renewal_history_sql = " in carried[0]
    assert carried[0].rstrip().endswith('check("q4.scores_at_renewal", answer)')
