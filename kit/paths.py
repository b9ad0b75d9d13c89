"""Where the kit finds its files: the project root, the dataset and the workspace.

Each location can be moved with an environment variable, so tests and
instructors can point the kit at another project folder:

- $KIT_PROJECT: the project root holding exercises.yaml, solutions/,
  notebooks/, workspace/ and data/ (default: the folder above this package).
- $KIT_REGISTRY: the exercise registry file; its solutions/ folder sits beside
  it (default: exercises.yaml in the project root).
- $KIT_WORKSPACE: the candidate's notebook folder (default: workspace/).
- $KIT_PROGRESS: the progress file (default: workspace/.kit/progress.json).
- $KIT_DB: the dataset file (default: the nearest data/merchants.duckdb).
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_NAME = "merchants.duckdb"


def project_root() -> Path:
    from_env = os.environ.get("KIT_PROJECT")
    return Path(from_env).expanduser() if from_env else PROJECT_ROOT


def registry_path() -> Path:
    from_env = os.environ.get("KIT_REGISTRY")
    if from_env:
        return Path(from_env).expanduser()
    return project_root() / "exercises.yaml"


def solutions_dir(registry: Path | None = None) -> Path:
    """Return the solutions folder that belongs beside a registry file."""
    return (registry or registry_path()).parent / "solutions"


def templates_dir() -> Path:
    return project_root() / "notebooks"


def solved_notebooks_dir() -> Path:
    return project_root() / "solutions" / "notebooks"


def workspace_dir() -> Path:
    from_env = os.environ.get("KIT_WORKSPACE")
    if from_env:
        return Path(from_env).expanduser()
    return project_root() / "workspace"


def progress_path() -> Path:
    from_env = os.environ.get("KIT_PROGRESS")
    if from_env:
        return Path(from_env).expanduser()
    return workspace_dir() / ".kit" / "progress.json"


def default_db_path() -> Path:
    return project_root() / "data" / DEFAULT_DB_NAME


def answers_path(db_path: Path) -> Path:
    """Return the answer-key file that belongs beside a dataset file."""
    return db_path.with_name(db_path.stem + ".answers.duckdb")


def find_db(start: Path | None = None) -> Path | None:
    """Return the dataset named by $KIT_DB, else the nearest data/merchants.duckdb.

    The search walks up from ``start`` (the working folder by default), so a
    notebook anywhere inside a project finds that project's data. Returns
    None when no candidate exists; $KIT_DB is returned even if missing, so
    the caller can name it in the error.
    """
    from_env = os.environ.get("KIT_DB")
    if from_env:
        return Path(from_env).expanduser()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "data" / DEFAULT_DB_NAME
        if candidate.is_file():
            return candidate
    return None
