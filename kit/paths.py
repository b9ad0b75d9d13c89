"""Where the kit finds its files: the project root, the dataset and the workspace."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_NAME = "merchants.duckdb"


def registry_path() -> Path:
    return PROJECT_ROOT / "exercises.yaml"


def solutions_dir() -> Path:
    return PROJECT_ROOT / "solutions"


def templates_dir() -> Path:
    return PROJECT_ROOT / "notebooks"


def workspace_dir() -> Path:
    return Path(os.environ.get("KIT_WORKSPACE", PROJECT_ROOT / "workspace"))


def default_db_path() -> Path:
    return PROJECT_ROOT / "data" / DEFAULT_DB_NAME


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
