"""`python -m kit check`: re-execute notebooks under nbval and report every exercise.

nbval runs each notebook in a fresh kernel. With KIT_STRICT=1, check()
raises on every verdict but correct, so nbval fails exactly those cells; with
KIT_RESULTS set, check() also appends each verdict to a JSON lines file,
from which the per-exercise table is built once pytest has finished.
"""

import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from kit import paths
from kit.errors import NotebookError
from kit.notebooks import notebook_stem
from kit.registry import load_registry
from kit.results import RESULTS_VARIABLE, read_results
from kit.table import format_table

log = logging.getLogger(__name__)

NOT_RUN = "not run"


def find_notebooks(names: list[str]) -> list[Path]:
    """Return the notebooks to check: ``names``, or every notebook in the workspace.

    Timestamped backups in the workspace are left out unless named.
    """
    if names:
        return [_named_notebook(name).resolve() for name in names]
    workspace = paths.workspace_dir()
    notebooks = [
        path.resolve()
        for path in sorted(workspace.glob("*.ipynb"))
        if notebook_stem(path) == path.stem
    ]
    if not notebooks:
        raise NotebookError(
            f"no notebooks in {workspace}: run `python -m kit lab` to copy them "
            "there, or name the notebooks to check"
        )
    return notebooks


def _named_notebook(name: str) -> Path:
    """Return the notebook a path names, or a workspace notebook a stem names."""
    notebook = Path(name)
    if notebook.is_file():
        if notebook.suffix != ".ipynb":
            raise NotebookError(f"{notebook} is not a .ipynb notebook")
        return notebook
    if notebook.suffix not in ("", ".ipynb"):
        raise NotebookError(f"{notebook} is not a .ipynb notebook")
    in_workspace = paths.workspace_dir() / f"{notebook.stem}.ipynb"
    if notebook.parent == Path(".") and in_workspace.is_file():
        return in_workspace
    known = ", ".join(sorted(p.stem for p in paths.workspace_dir().glob("*.ipynb")))
    raise NotebookError(
        f"notebook {notebook} does not exist; name a .ipynb file or a workspace "
        f"notebook ({known or 'none yet: run `python -m kit lab`'})"
    )


def pytest_command(notebooks: list[Path], config: Path, rootdir: Path) -> list[str]:
    """Return the pytest command that runs ``notebooks`` under nbval.

    The empty config file and --noconftest keep the project's own pytest
    settings and fixtures out of the candidate's run.
    """
    return [
        sys.executable,
        "-m",
        "pytest",
        "--nbval-lax",
        "--nbval-current-env",
        "-p",
        "no:cacheprovider",
        "--noconftest",
        "-c",
        str(config),
        "--rootdir",
        str(rootdir),
        *[str(notebook) for notebook in notebooks],
    ]


def run_self_check(names: list[str]) -> int:
    """Run the notebooks under nbval, print the exercise table, return the status.

    The status is 0 only when pytest passed and every exercise of those
    notebooks reported correct, else 1.
    """
    notebooks = find_notebooks(names)
    with tempfile.TemporaryDirectory(prefix="kit-check-") as scratch:
        config = Path(scratch) / "pytest.ini"
        config.write_text("[pytest]\n", encoding="utf-8")
        results_file = Path(scratch) / "results.jsonl"
        env = {**os.environ, "KIT_STRICT": "1", RESULTS_VARIABLE: str(results_file)}
        # Run from the notebooks' folder, so ids read like check-fail.ipynb::Cell 2.
        rootdir = Path(os.path.commonpath([str(path.parent) for path in notebooks]))
        command = pytest_command(notebooks, config, rootdir)
        log.info("running %s", " ".join(command))
        completed = subprocess.run(command, env=env, cwd=rootdir, check=False)
        results = read_results(results_file)
    rows = verdict_rows(notebooks, results)
    print()
    print(format_table(["EXERCISE", "VERDICT"], rows))
    passed = completed.returncode == 0 and all(row[1] == "correct" for row in rows)
    print(f"\n{'All checks passed.' if passed else 'Some checks did not pass.'}")
    return 0 if passed else 1


def verdict_rows(notebooks: list[Path], results: list[dict]) -> list[list[str]]:
    """Return [exercise id, latest verdict] for each exercise of the notebooks.

    Exercises that never reported are "not run"; ids that reported but
    belong to none of the notebooks come last.
    """
    latest = {}
    for result in results:
        latest[result["exercise"]] = result.get("verdict", "unknown")
    stems = {notebook_stem(notebook) for notebook in notebooks}
    expected = [
        exercise.id for exercise in load_registry() if exercise.notebook in stems
    ]
    rows = [[exercise_id, latest.get(exercise_id, NOT_RUN)] for exercise_id in expected]
    rows += [
        [exercise_id, verdict]
        for exercise_id, verdict in latest.items()
        if exercise_id not in expected
    ]
    return rows
