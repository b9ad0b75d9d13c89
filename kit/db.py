"""Read-only connections to the merchant dataset.

DuckDB refuses a second connection to a file inside one process unless the
configuration is identical, so every connection the kit opens, the
candidate's and the reference runner's alike, uses ``READ_ONLY_CONFIG``.
"""

import os
from pathlib import Path

import duckdb

from kit import paths
from kit.errors import DatasetLocked, DatasetNotFound

READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

REGENERATE_HINT = "run `python -m datagen` (or `make data`) to generate it"


def resolve_db(db: str | os.PathLike | None = None) -> Path:
    """Return the dataset path to use, raising DatasetNotFound when there is none."""
    path = Path(db).expanduser() if db is not None else paths.find_db()
    if path is None:
        raise DatasetNotFound(
            f"no dataset found: set $KIT_DB or {REGENERATE_HINT} "
            f"(looked for data/{paths.DEFAULT_DB_NAME} above {Path.cwd()})"
        )
    if not path.is_file():
        raise DatasetNotFound(f"dataset {path} does not exist: {REGENERATE_HINT}")
    return path


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open ``path`` read-only with external access off."""
    try:
        return duckdb.connect(str(path), read_only=True, config=READ_ONLY_CONFIG)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise DatasetLocked(
                f"dataset {path} is locked by another process that is writing it: "
                "wait for `python -m datagen` to finish, or stop that process"
            ) from error
        raise DatasetNotFound(f"cannot open dataset {path}: {error}") from error


def connect(db: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open the merchant dataset read-only.

    The file is ``db`` if given, else $KIT_DB, else the nearest
    data/merchants.duckdb above the working folder.
    """
    return open_read_only(resolve_db(db))
