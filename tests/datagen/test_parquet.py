"""Parquet output: the same rows as the DuckDB file, partitioned by month."""

import os
import resource
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_command_line import assert_one_line_error, run_cli

from datagen import parquet
from datagen.build import TABLES
from datagen.errors import WriteFailed
from datagen.parquet import (
    PARTITION_COLUMN,
    PARTITIONED,
    answers_folder,
    write_parquet,
)

ANSWER_TABLES = (
    "dataset_info",
    "planted",
    "renewal_outcomes",
    "score_drops",
    "tracking_break",
)


@pytest.fixture(scope="module")
def parquet_out(small_dataset, tmp_path_factory) -> Path:
    """The small dataset's options written with --format parquet, as a user runs it."""
    folder = tmp_path_factory.mktemp("parquet")
    summary = small_dataset.summary
    done = run_cli(
        "--format",
        "parquet",
        "--seed",
        str(summary.seed),
        "--merchants",
        str(summary.merchants),
        "--as-of",
        summary.as_of.isoformat(),
        "--history-days",
        str(summary.history_days),
        "--out",
        "export/merchants",
        cwd=folder,
    )
    assert done.returncode == 0, done.stderr
    return folder / "export" / "merchants"


def parquet_source(folder: Path, table: str) -> str:
    """Return the SQL that reads one table of a Parquet output back."""
    if table in PARTITIONED:
        files = f"{folder}/{table}/*/*.parquet"
        return (
            f"(SELECT * EXCLUDE ({PARTITION_COLUMN}) "
            f"FROM read_parquet('{files}', hive_partitioning = true))"
        )
    return f"read_parquet('{folder}/{table}.parquet')"


def row_difference(database: Path, folder: Path, table: str) -> tuple[int, int]:
    """Return (rows only in the DuckDB table, rows only in the Parquet files).

    EXCEPT ALL keeps duplicates, so a session delivered twice must appear
    twice on both sides.
    """
    parquet = parquet_source(folder, table)
    with duckdb.connect() as connection:
        connection.execute(f"ATTACH '{database}' AS db (READ_ONLY)")
        only_duckdb = connection.execute(
            f"SELECT count(*) FROM (FROM db.{table} EXCEPT ALL FROM {parquet})"
        ).fetchone()[0]
        only_parquet = connection.execute(
            f"SELECT count(*) FROM (FROM {parquet} EXCEPT ALL FROM db.{table})"
        ).fetchone()[0]
    return only_duckdb, only_parquet


def column_types(source: str, database: Path | None = None) -> list[tuple]:
    with duckdb.connect() as connection:
        if database is not None:
            connection.execute(f"ATTACH '{database}' AS db (READ_ONLY)")
        rows = connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    return [(name, kind) for name, kind, *_ in rows]


@pytest.mark.parametrize("table", TABLES)
def test_dataset_table_same_rows(small_dataset, parquet_out, table):
    only_duckdb, only_parquet = row_difference(small_dataset.path, parquet_out, table)
    assert only_duckdb == 0
    assert only_parquet == 0


@pytest.mark.parametrize("table", ANSWER_TABLES)
def test_answer_table_same_rows(small_dataset, parquet_out, table):
    answers = parquet_out.with_name("merchants.answers")
    only_duckdb, only_parquet = row_difference(small_dataset.answers, answers, table)
    assert only_duckdb == 0
    assert only_parquet == 0


@pytest.mark.parametrize("table", TABLES)
def test_columns_keep_types(small_dataset, parquet_out, table):
    expected = column_types(f"db.{table}", small_dataset.path)
    assert column_types(parquet_source(parquet_out, table)) == expected


def test_missing_partition_is_detected(small_dataset, parquet_out, tmp_path):
    damaged = tmp_path / "merchants"
    shutil.copytree(parquet_out, damaged)
    shutil.rmtree(damaged / "merchant_sessions" / f"{PARTITION_COLUMN}=2026-05-01")

    only_duckdb, only_parquet = row_difference(
        small_dataset.path, damaged, "merchant_sessions"
    )

    assert only_duckdb > 0
    assert only_parquet == 0


@pytest.mark.parametrize("table", sorted(PARTITIONED))
def test_activity_partitioned_by_month(parquet_out, table):
    date_column = PARTITIONED[table]
    folders = sorted((parquet_out / table).iterdir())
    assert folders
    for folder in folders:
        key, _, value = folder.name.partition("=")
        assert key == PARTITION_COLUMN
        month = date.fromisoformat(value)
        assert month.day == 1
        with duckdb.connect() as connection:
            first, last = connection.execute(
                f"SELECT min({date_column}), max({date_column}) "
                f"FROM read_parquet('{folder}/*.parquet', hive_partitioning = false)"
            ).fetchone()
        assert (first.year, first.month) == (month.year, month.month), folder.name
        assert (last.year, last.month) == (month.year, month.month), folder.name


def test_other_tables_one_file_each(parquet_out):
    files = sorted(path.name for path in parquet_out.glob("*.parquet"))
    unpartitioned = sorted(f"{table}.parquet" for table in TABLES)
    unpartitioned = [name for name in unpartitioned if name[:-8] not in PARTITIONED]
    assert files == unpartitioned


def test_answer_key_not_in_dataset_folder(parquet_out):
    assert not (parquet_out / "planted.parquet").exists()
    assert (parquet_out.with_name("merchants.answers") / "planted.parquet").is_file()


def test_no_temporary_files_left(parquet_out):
    names = sorted(path.name for path in parquet_out.parent.iterdir())
    assert names == ["merchants", "merchants.answers"]


def test_rerun_replaces_earlier_output(tmp_path):
    out = tmp_path / "export"
    for seed in ("5", "6"):
        done = run_cli(
            "--format", "parquet", "--merchants", "300", "--seed", seed,
            "--out", "export", cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    with duckdb.connect() as connection:
        info = f"'{out}/dataset_info.parquet'"
        seed = connection.execute(f"SELECT seed FROM {info}").fetchone()[0]
    assert seed == 6
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "export",
        "export.answers",
    ]


def test_folder_with_other_files_rejected(tmp_path):
    out = tmp_path / "export"
    out.mkdir()
    (out / "notes.txt").write_text("mine")

    done = run_cli("--format", "parquet", "--out", "export", cwd=tmp_path)

    assert_one_line_error(done, "--out export")
    assert "Give a new or empty folder." in done.stderr
    assert (out / "notes.txt").read_text() == "mine"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["export"]


def test_out_file_rejected_for_parquet(tmp_path):
    (tmp_path / "export").write_text("a file")

    done = run_cli("--format", "parquet", "--out", "export", cwd=tmp_path)

    assert_one_line_error(done, "--out export")
    assert "Give a folder path" in done.stderr


def test_failed_copy_names_folder(small_dataset, tmp_path, cap_files):
    out = tmp_path / "export"
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    cap_files(100_000)()
    try:
        with pytest.raises(WriteFailed) as raised:
            write_parquet(small_dataset.path, small_dataset.answers, out)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)

    assert str(raised.value).startswith(f"cannot write --out {out}: ")
    assert "writing failed (File too large)" in str(raised.value)
    assert list(tmp_path.iterdir()) == []


def test_failed_answers_move_keeps_both(
    small_dataset, parquet_out, tmp_path, monkeypatch
):
    out = tmp_path / "merchants"
    shutil.copytree(parquet_out, out)
    shutil.copytree(answers_folder(parquet_out), answers_folder(out))
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    replace = os.replace

    def replace_or_fail(source, target) -> None:
        # The staged answer key is .merchants.answers.<token>.tmp.
        name = Path(source).name
        if name.startswith(".merchants.answers.") and name.endswith(".tmp"):
            raise PermissionError(1, "Operation not permitted")
        replace(source, target)

    monkeypatch.setattr(parquet.os, "replace", replace_or_fail)
    with pytest.raises(WriteFailed, match="Operation not permitted"):
        write_parquet(small_dataset.path, small_dataset.answers, out)

    after = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert after == before


def test_unknown_format_rejected(tmp_path):
    done = run_cli("--format", "csv", cwd=tmp_path)

    assert_one_line_error(done, "--format")
    assert "'duckdb', 'parquet'" in done.stderr


def readme_parquet_sql() -> str:
    """Return the README's SQL block that reads a Parquet output back."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    blocks = readme.split("```sql\n")[1:]
    matching = [block.split("```")[0] for block in blocks if "read_parquet" in block]
    assert len(matching) == 1
    return matching[0]


def test_readme_query_reads_output(small_dataset, parquet_out):
    sql = readme_parquet_sql().replace("data/parquet", str(parquet_out))

    with duckdb.connect() as connection:
        connection.execute(sql)
        sessions = connection.execute(
            "SELECT count(*) FROM merchant_sessions "
            "WHERE session_date >= as_of_date() - 30"
        ).fetchone()[0]
        merchants = connection.execute("SELECT count(*) FROM merchants").fetchone()[0]

    expected = small_dataset.query(
        "SELECT count(*) AS n FROM merchant_sessions "
        "WHERE session_date >= as_of_date() - 30"
    )["n"][0]
    assert sessions == expected
    assert merchants == small_dataset.summary.merchants
