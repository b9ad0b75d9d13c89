"""Atomic output files and typed inserts into DuckDB.

A dataset is written to a temporary file beside its final path, then
checkpointed, closed and renamed into place with ``os.replace``. A process
that still has the old file open keeps reading the old inode, and a failed
run leaves the old file untouched. A stale ``.wal`` beside the final path
is removed first, because DuckDB would replay it into the new file and
refuse to open it.
"""

import errno
import logging
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from datagen.errors import OutputNotWritable, WriteFailed

log = logging.getLogger(__name__)

EPOCH_SQL = "DATE '1970-01-01'"
# DuckDB caches written blocks up to 80% of RAM by default. A fixed limit
# keeps a large run's memory bounded; blocks already written are evicted.
# TODO: the score-drop query spills to disk under this limit at 30,000 merchants.
MEMORY_LIMIT = "512MB"
# While activity is appended, DuckDB caches blocks it has written and will
# not read again before the queries that follow. So a lower limit frees that
# memory for the worker processes.
APPEND_MEMORY_LIMIT = "128MB"
# Rows between commits inside bulk_append. DuckDB keeps an open transaction's
# appended rows in memory, so one transaction over the activity of 10,000
# merchants raised peak memory from 0.7 to 2.1 GB. Much smaller commits leave
# more partly filled row groups to rewrite.
BULK_COMMIT_ROWS = 1_000_000
CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": MEMORY_LIMIT,
}


def schema_sql() -> str:
    return resources.files("datagen").joinpath("schema.sql").read_text(encoding="utf-8")


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def prepare_folder(out: Path, others: tuple[Path, ...] = ()) -> list[Path]:
    """Check that ``out`` (and ``others`` beside it) can be written; create its folder.

    Returns the folders this call created, so a failed run can remove them.
    Raises OutputNotWritable naming the problem and the fix.
    """
    for path in (out, *others):
        if path.is_dir() and path != out:
            raise OutputNotWritable(
                out,
                f"{path}, where its answer key goes, is a folder. Remove or "
                "rename that folder, or choose another --out.",
            )
        if path.is_dir():
            raise OutputNotWritable(
                path,
                "it is a folder. Give a file path such as "
                f"{path / 'merchants.duckdb'}.",
            )
        if wal_path(path).is_dir():
            raise OutputNotWritable(
                out,
                f"{wal_path(path)}, where DuckDB keeps the log of a database "
                "being written, is a folder. Remove or rename it, or choose "
                "another --out.",
            )
        if path.exists() and not path.is_file():
            # A device such as /dev/null would be replaced by a regular file.
            raise OutputNotWritable(
                path,
                "it exists and is not a regular file. Give a file path such as "
                "data/merchants.duckdb.",
            )
    folder = out.parent
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputNotWritable(
            out, f"{probe} is a file, not a folder. Choose another location."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputNotWritable(
            out,
            f"cannot create folder {folder} ({_reason(error)}). "
            "Choose a writable location.",
        ) from None
    return missing


# DuckDB's message when the file system refused a write. An append raises
# IOException, a commit TransactionException, and COPY quotes it in JSON.
WRITE_FAILED = re.compile(r'Could not write file \\?"[^"]*?\\?": (?P<reason>[^"\\\n]+)')


def write_failure(out: Path, error: duckdb.Error) -> WriteFailed | None:
    """Return the error that reports DuckDB's failed write to ``out``, if it was one.

    DuckDB's message names a temporary file, so only the system's reason
    is kept, such as "No space left on device". Returns None for any other
    DuckDB error.
    """
    match = WRITE_FAILED.search(str(error))
    if match is None:
        return None
    return WriteFailed(out, match["reason"])


def is_interrupt(error: BaseException) -> bool:
    """Return whether ``error`` is DuckDB's report of a query stopped by Ctrl-C.

    DuckDB 2.0.1 raises a plain RuntimeError "Query interrupted" when
    SIGINT arrives during a query, rather than its InterruptException.
    """
    if isinstance(error, duckdb.InterruptException):
        return True
    return type(error) is RuntimeError and str(error) == "Query interrupted"


def replacement_error(out: Path, error: BaseException) -> BaseException | None:
    """Return the error to raise instead of ``error`` from writing ``out``, if any.

    That is KeyboardInterrupt for a query stopped by Ctrl-C, and WriteFailed
    for a write or rename the file system refused. None means raise
    ``error`` itself.
    """
    if is_interrupt(error):
        return KeyboardInterrupt()
    if isinstance(error, duckdb.Error):
        return write_failure(out, error)
    if isinstance(error, OSError) and not isinstance(error, OutputNotWritable):
        return WriteFailed(out, error.strerror or str(error))
    return None


def remove_folders(folders: list[Path]) -> None:
    """Remove folders a failed run created, deepest first, if they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


class TemporaryDatabase:
    """A DuckDB file written beside ``final`` and renamed onto it by ``publish``.

    Use as a context manager: leaving the block by an exception discards
    the temporary file.
    """

    def __init__(self, final: Path) -> None:
        self.final = final
        self.path = final.with_name(f".{final.name}.{secrets.token_hex(6)}.tmp")
        self.connection: duckdb.DuckDBPyConnection | None = None
        self._column_types: dict[str, list[tuple[str, str]]] = {}
        # Rows appended since the last commit, inside bulk_append only.
        self._uncommitted_rows: int | None = None

    def __enter__(self) -> "TemporaryDatabase":
        self._probe()
        self.connection = duckdb.connect(str(self.path), config=CONFIG)
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if error_type is not None or self.path.exists():
            self.discard()

    def _probe(self) -> None:
        folder = self.path.parent
        try:
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                message = (
                    f"folder {folder} is not writable ({_reason(error)}). "
                    "Choose a writable folder or fix its permissions."
                )
            else:
                message = f"cannot create a file in {folder} ({_reason(error)})."
            raise OutputNotWritable(self.final, message) from None
        os.close(descriptor)
        self.path.unlink()

    def execute(self, sql: str, parameters: list | None = None) -> None:
        self.connection.execute(sql, parameters)

    def append(self, table: str, frame: pd.DataFrame) -> None:
        """Insert ``frame`` into ``table``, converting by the table's column types.

        Frame columns carry the table's column names. DATE columns hold day
        numbers since 1970-01-01, TIMESTAMP columns whole seconds since then,
        DECIMAL columns whole cents; missing values are NULL.
        """
        if frame.empty:
            return
        columns = self._column_types.get(table)
        if columns is None:
            columns = self.connection.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
            self._column_types[table] = columns
        expressions = []
        for name, data_type in columns:
            if data_type == "DATE":
                expressions.append(f"{EPOCH_SQL} + CAST({name} AS INTEGER)")
            elif data_type == "TIMESTAMP":
                expressions.append(f"make_timestamp({name} * 1000000)")
            elif data_type.startswith("DECIMAL"):
                expressions.append(f"CAST({name} / 100 AS {data_type})")
            else:
                expressions.append(name)
        self.connection.register("incoming_frame", frame)
        select = ", ".join(expressions)
        try:
            self.connection.execute(
                f"INSERT INTO {table} SELECT {select} FROM incoming_frame"
            )
        except BaseException:
            # A failed insert aborts an open transaction, and DuckDB then
            # rejects the unregister too, which would hide this error.
            try:
                self.connection.unregister("incoming_frame")
            except duckdb.Error:
                log.debug("unregister failed after a failed insert into %s", table)
            raise
        self.connection.unregister("incoming_frame")
        if self._uncommitted_rows is not None:
            self._uncommitted_rows += len(frame)
            if self._uncommitted_rows >= BULK_COMMIT_ROWS:
                self.execute("COMMIT")
                self.execute("BEGIN TRANSACTION")
                self._uncommitted_rows = 0

    @contextmanager
    def bulk_append(self) -> Iterator[None]:
        """Append inside the block in large transactions, on one DuckDB thread.

        On this writer's activity batches, transactions of about a million
        rows on one thread took half the CPU time of a commit per append.
        They also gave a smaller file, because full row groups go straight
        to the file instead of through the write-ahead log. A commit follows
        every BULK_COMMIT_ROWS rows, and the memory limit is lowered to
        APPEND_MEMORY_LIMIT meanwhile. An error rolls back the rows since
        the last commit, so the caller discards the file. The settings are
        restored either way.
        """
        ((threads,),) = self.connection.execute(
            "SELECT current_setting('threads')"
        ).fetchall()
        self.execute(f"SET memory_limit = {_quote(APPEND_MEMORY_LIMIT)}")
        self.execute("SET threads = 1")
        self.execute("BEGIN TRANSACTION")
        self._uncommitted_rows = 0
        try:
            yield
            self.execute("COMMIT")
        except BaseException:
            self._restore_quietly(threads)
            raise
        self._uncommitted_rows = None
        self.execute(f"SET threads = {int(threads)}")
        self.execute(f"SET memory_limit = {_quote(MEMORY_LIMIT)}")

    def _restore_quietly(self, threads: int) -> None:
        """Roll back and restore the settings after an error in bulk_append.

        DuckDB may have ended the transaction already, or refuse every
        statement after a failed write, and the error raised in the block
        is the one to report.
        """
        self._uncommitted_rows = None
        for sql in (
            "ROLLBACK",
            f"SET threads = {int(threads)}",
            f"SET memory_limit = {_quote(MEMORY_LIMIT)}",
        ):
            try:
                self.execute(sql)
            except duckdb.Error:
                log.debug("%s failed after an error in bulk_append", sql)

    def table_ddl(self, table: str) -> str:
        """Return SQL that creates ``table`` with its comments, as in this file."""
        (create,) = self.connection.execute(
            "SELECT sql FROM duckdb_tables() WHERE table_name = ?", [table]
        ).fetchone()
        statements = [create.rstrip(";") + ";"]
        (comment,) = self.connection.execute(
            "SELECT comment FROM duckdb_tables() WHERE table_name = ?", [table]
        ).fetchone()
        if comment:
            statements.append(f"COMMENT ON TABLE {table} IS {_quote(comment)};")
        for column, column_comment in self.connection.execute(
            "SELECT column_name, comment FROM duckdb_columns() "
            "WHERE table_name = ? ORDER BY column_index",
            [table],
        ).fetchall():
            if column_comment:
                statements.append(
                    f"COMMENT ON COLUMN {table}.{column} IS {_quote(column_comment)};"
                )
        return "\n".join(statements)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.execute("CHECKPOINT")
            self.connection.close()
            self.connection = None

    def publish(self) -> None:
        """Checkpoint and close the file, then rename it onto the final path."""
        self.close()
        wal_path(self.path).unlink(missing_ok=True)
        wal_path(self.final).unlink(missing_ok=True)
        os.replace(self.path, self.final)

    def discard(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None
        self.path.unlink(missing_ok=True)
        wal_path(self.path).unlink(missing_ok=True)


def publish_together(first: TemporaryDatabase, second: TemporaryDatabase) -> None:
    """Checkpoint both files, then rename both into place, or neither.

    If the second rename fails, the first file's earlier version is put
    back from a hard link taken before. Where the file system has no hard
    links, or there was no earlier version, the new first file is removed.
    """
    first.close()
    second.close()
    backup = _hard_link_beside(first.final)
    first.publish()
    try:
        second.publish()
    except BaseException:
        if backup is not None:
            os.replace(backup, first.final)
        else:
            first.final.unlink(missing_ok=True)
        raise
    if backup is not None:
        backup.unlink()


def _hard_link_beside(path: Path) -> Path | None:
    """Return a new hard link to ``path`` beside it, or None if none was made."""
    if not path.is_file():
        return None
    link = path.with_name(f".{path.name}.{secrets.token_hex(6)}.old")
    try:
        os.link(path, link)
    except OSError:
        return None
    return link
