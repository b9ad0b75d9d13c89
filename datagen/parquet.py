"""Parquet output: a generated dataset as a folder of Parquet files.

Every table becomes ``<table>.parquet``, except the activity tables, which
are partitioned by calendar month in the Hive layout that Spark, Trino and
BigQuery read: ``merchant_sessions/month=2026-05-01/data_0.parquet``. The
partition column ``month`` contains the first day of the row's month. A reader
with Hive partitioning on adds it back as a DATE column.
The answer key goes to a folder of its own beside the dataset folder,
``<name>.answers``, one file per table, so the candidate folder contains no
answers.

Both folders are written under temporary names beside their final places
and renamed into place, so a failed run leaves an earlier output whole.
"""

import dataclasses
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import duckdb

from datagen.build import Summary, generate
from datagen.errors import OutputNotWritable, WriteFailed
from datagen.writer import replacement_error

# Table name -> the date column that assigns its rows to a month.
PARTITIONED = {
    "merchant_sessions": "session_date",
    "merchant_features": "usage_date",
    "daily_transaction_volume": "volume_date",
}
PARTITION_COLUMN = "month"
# Both the dataset and the answer key hold dataset_info, so a folder with
# this file was written by write_parquet and the next run may replace it.
MARKER = "dataset_info.parquet"
CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


def answers_folder(out: Path) -> Path:
    """Return the answer-key folder that belongs beside the dataset folder ``out``."""
    return out.with_name(out.name + ".answers")


def check_parquet_folder(out: Path) -> None:
    """Raise OutputNotWritable unless ``out`` can take a Parquet dataset.

    ``out`` may be missing, an empty folder, or a folder an earlier run wrote;
    anything else would be replaced along with the user's own files.
    """
    for folder in (out, answers_folder(out)):
        if folder.exists() and not folder.is_dir():
            raise OutputNotWritable(
                folder,
                "it is a file, and Parquet output is a folder. "
                "Give a folder path such as data/parquet.",
            )
        written_before = (folder / MARKER).is_file()
        if folder.is_dir() and any(folder.iterdir()) and not written_before:
            raise OutputNotWritable(
                folder,
                "the folder contains files that datagen did not write. "
                "Give a new or empty folder.",
            )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY table_name"
    ).fetchall()
    return [name for (name,) in rows]


def _copy_tables(database: Path, folder: Path, partitioned: dict[str, str]) -> None:
    folder.mkdir()
    with duckdb.connect(str(database), read_only=True, config=CONFIG) as connection:
        # DuckDB's own progress bar would print into the generator's output.
        connection.execute("SET enable_progress_bar = false")
        for table in _tables(connection):
            date_column = partitioned.get(table)
            if date_column is None:
                target = _quote(str(folder / f"{table}.parquet"))
                connection.execute(f"COPY {table} TO {target} (FORMAT parquet)")
                continue
            # DuckDB creates the partition folders but not the table's own.
            (folder / table).mkdir()
            target = _quote(str(folder / table))
            connection.execute(
                f"COPY (SELECT *, date_trunc('month', {date_column})::DATE "
                f"AS {PARTITION_COLUMN} FROM {table}) TO {target} "
                f"(FORMAT parquet, PARTITION_BY ({PARTITION_COLUMN}))"
            )


def _replace_all(moves: list[tuple[Path, Path]]) -> None:
    """Move each staged folder onto its final path, or leave every final path as it was.

    Earlier outputs are moved aside first and removed only once every
    staged folder is in place. After a failure the staged folders moved so
    far are removed and the earlier outputs are moved back.
    """
    done: list[tuple[Path, Path | None]] = []
    try:
        for staged, final in moves:
            old = None
            if final.exists():
                old = final.with_name(f".{final.name}.{secrets.token_hex(6)}.old")
                os.replace(final, old)
            done.append((final, old))
            os.replace(staged, final)
    except BaseException:
        for final, old in reversed(done):
            if final.exists():
                shutil.rmtree(final)
            if old is not None:
                os.replace(old, final)
        raise
    for _, old in done:
        if old is not None:
            shutil.rmtree(old)


def write_parquet(database: Path, answers: Path, out: Path) -> Path:
    """Write the DuckDB dataset ``database`` and its key ``answers`` as Parquet.

    The dataset goes to the folder ``out`` and the key to its answers folder.
    Returns the answers folder. Raises OutputNotWritable when ``out`` contains
    other files.
    """
    check_parquet_folder(out)
    final_answers = answers_folder(out)
    token = secrets.token_hex(6)
    staged = out.with_name(f".{out.name}.{token}.tmp")
    staged_answers = out.with_name(f".{final_answers.name}.{token}.tmp")
    try:
        _copy_tables(database, staged, PARTITIONED)
        _copy_tables(answers, staged_answers, {})
        _replace_all([(staged, out), (staged_answers, final_answers)])
    except BaseException as error:
        replacement = replacement_error(out, error)
        if replacement is None:
            raise
        raise replacement from error
    finally:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.rmtree(staged_answers, ignore_errors=True)
    return final_answers


def generate_parquet(out: Path, **options) -> Summary:
    """Generate a dataset with ``datagen.generate(**options)`` and write it as Parquet.

    The DuckDB files are built in a temporary folder beside ``out`` and
    removed afterwards. Returns the summary with ``out`` and ``answers``
    pointing at the two Parquet folders.
    """
    started = time.perf_counter()
    out = Path(out).expanduser()
    check_parquet_folder(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as error:
        raise OutputNotWritable(
            out,
            f"cannot create a folder in {out.parent} ({error.strerror or error}). "
            "Choose a writable location.",
        ) from None
    try:
        summary = generate(work / "merchants.duckdb", **options)
        answers = write_parquet(summary.out, summary.answers, out)
    except WriteFailed as error:
        # The error names the temporary DuckDB file rather than the folder.
        raise WriteFailed(out, error.reason) from error
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    return dataclasses.replace(summary, out=out, answers=answers, seconds=seconds)
