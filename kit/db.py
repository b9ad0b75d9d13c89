"""Read-only connections to the merchant dataset.

DuckDB refuses a second connection to a file inside one process unless the
configuration is identical, so every connection the kit opens, the
candidate's and the reference runner's alike, uses ``READ_ONLY_CONFIG``.

Within one process DuckDB keeps a database instance per file path while any
connection to it is open, so reconnecting to a file that ``python -m datagen``
replaced returns the old data. The kit therefore records the identity of the
file behind every connection it opens, and when a later open finds the file
replaced it closes its own stale connections first (see ``open_tracked``).
"""

import logging
import os
import weakref
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kit import paths
from kit.errors import DatasetLocked, DatasetNotFound

log = logging.getLogger(__name__)

READ_ONLY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}

REGENERATE_HINT = "run `python -m datagen` (or `make data`) to generate it"

# DuckDB keeps one database instance per file and rejects a connection whose
# configuration differs from the instance's, so opening with this config
# succeeds only when no connection in this process has the file open.
_PROBE_CONFIG = {**READ_ONLY_CONFIG, "threads": 1}


@dataclass(frozen=True)
class FileIdentity:
    """File attributes that tell a dataset file from the one that replaced it."""

    inode: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, path: Path) -> "FileIdentity":
        stat = path.stat()
        return cls(stat.st_ino, stat.st_mtime_ns, stat.st_size)


@dataclass
class _Opened:
    connection: "weakref.ref[duckdb.DuckDBPyConnection]"
    identity: FileIdentity


# Connections the kit opened, by resolved dataset path. Weak references, so a
# connection the candidate drops is closed by DuckDB as usual.
_opened: dict[Path, list[_Opened]] = {}
# The kit's own connections (role "reference" or "candidate"), by path and role.
_shared: dict[tuple[Path, str], tuple[duckdb.DuckDBPyConnection, FileIdentity]] = {}
# The dataset of the latest connect() call, which check() compares against.
_last_connected: Path | None = None


def resolve_db(db: str | os.PathLike | None = None) -> Path:
    """Return the dataset path to use, raising DatasetNotFound when there is none."""
    path = Path(db).expanduser() if db is not None else paths.find_db()
    if path is None:
        raise DatasetNotFound(
            f"no dataset found: set $KIT_DB or {REGENERATE_HINT} "
            f"(looked for data/{paths.DEFAULT_DB_NAME} above {Path.cwd()})"
        )
    if path.is_dir():
        raise DatasetNotFound(
            f"dataset {path} is a folder: give the .duckdb file inside it, such as "
            f"{path / paths.DEFAULT_DB_NAME}"
        )
    if not path.is_file():
        raise DatasetNotFound(
            f"dataset {path} does not exist: run `python -m datagen --out {path}` "
            "to generate it there, or point $KIT_DB at an existing dataset"
        )
    return path.resolve()


def open_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open ``path`` read-only with external access off.

    $KIT_DUCKDB_THREADS caps DuckDB's threads, so parallel grading kernels
    do not each take every core.
    """
    config = dict(READ_ONLY_CONFIG)
    threads = os.environ.get("KIT_DUCKDB_THREADS", "").strip()
    if threads.isdigit() and int(threads) > 0:
        config["threads"] = int(threads)
    try:
        return duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise DatasetLocked(
                f"dataset {path} is locked by another process that is writing it: "
                "wait for `python -m datagen` to finish, or stop that process"
            ) from error
        raise DatasetNotFound(f"cannot open dataset {path}: {error}") from error
    except duckdb.Error as error:
        if "different configuration" in str(error):
            raise DatasetNotFound(
                f"cannot open dataset {path}: this process already has it open "
                "with other settings. Close that connection, or open the "
                "dataset only with kit.connect(), then restart the kernel"
            ) from error
        raise DatasetNotFound(
            f"cannot open dataset {path}: {error}. If it is not a DuckDB file, "
            f"{REGENERATE_HINT}"
        ) from error


def connect(db: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open the merchant dataset read-only.

    The file is ``db`` if given, else $KIT_DB, else the nearest
    data/merchants.duckdb above the working folder. When the file was
    rebuilt since the kit last opened it, the kit's older connections to it
    are closed first and a printed line asks the candidate to reconnect.
    """
    global _last_connected
    path = resolve_db(db)
    _last_connected = path
    return open_tracked(path)


def dataset_path(db: str | os.PathLike | None = None) -> Path:
    """Return the dataset a check runs on.

    That is ``db`` if given, else the file of the latest ``connect()`` in
    this process, so a candidate who connected to another file is checked
    on it, else the file ``connect()`` would open.
    """
    if db is not None:
        return resolve_db(db)
    if _last_connected is not None and _last_connected.is_file():
        return _last_connected
    return resolve_db()


def open_tracked(path: Path) -> duckdb.DuckDBPyConnection:
    """Open ``path`` read-only and record the identity of the file it reads."""
    identity = FileIdentity.of(path)
    rebuilt = _close_stale(path, identity)
    if rebuilt and _held_open_elsewhere(path):
        print(
            f"DuckDB still returns the old data of {path.name}, because a "
            "connection the kit did not open still reads it: restart the kernel, "
            "then run `con = connect()`."
        )
    connection = open_read_only(path)
    _opened.setdefault(path, []).append(_Opened(weakref.ref(connection), identity))
    return connection


def shared_connection(path: Path, role: str) -> duckdb.DuckDBPyConnection:
    """Return the kit's own connection for ``role``, reopening it after a rebuild.

    The reference runner and the candidate's SQL use separate connections, so
    nothing a candidate's SQL changes on its connection reaches a reference.
    """
    identity = FileIdentity.of(path)
    cached = _shared.get((path, role))
    if cached is not None and cached[1] == identity:
        return cached[0]
    connection = open_tracked(path)
    _shared[(path, role)] = (connection, identity)
    return connection


def current_identity(path: Path) -> FileIdentity:
    return FileIdentity.of(path)


def close_all() -> None:
    """Close every connection the kit opened, the candidate's ones included.

    The dataset of the latest connect() is forgotten too.
    """
    global _last_connected
    _last_connected = None
    for path in list(_opened):
        for opened in _opened.pop(path):
            _close_quietly(opened.connection())
    _shared.clear()


def _close_stale(path: Path, identity: FileIdentity) -> bool:
    """Close the kit's connections to ``path`` if the file was replaced.

    Returns whether any connection read an older file and was still
    referenced, in which case a printed line asks the candidate to reconnect.
    """
    opened = _opened.get(path, [])
    alive = [entry for entry in opened if entry.connection() is not None]
    if not any(entry.identity != identity for entry in alive):
        _opened[path] = alive
        return False
    for entry in alive:
        _close_quietly(entry.connection())
    _opened[path] = []
    for key in [key for key in _shared if key[0] == path]:
        del _shared[key]
    log.info("dataset %s was replaced; closed %d connections", path, len(alive))
    print(
        f"The dataset {path.name} was rebuilt, so the kit closed the earlier "
        "`con` connections in this kernel: run `con = connect()` again."
    )
    return True


def _held_open_elsewhere(path: Path) -> bool:
    """Return whether a connection the kit did not open still has ``path`` open.

    Such a connection keeps DuckDB's instance of the old file alive, so a
    new connection would read the old data too.
    """
    try:
        probe = duckdb.connect(str(path), read_only=True, config=_PROBE_CONFIG)
    except duckdb.Error as error:
        return "different configuration" in str(error)
    probe.close()
    return False


def _close_quietly(connection: duckdb.DuckDBPyConnection | None) -> None:
    if connection is None:
        return
    try:
        connection.close()
    except duckdb.Error:
        log.debug("closing a stale connection failed", exc_info=True)
