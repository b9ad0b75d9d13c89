"""Same arguments give the same tables; another seed gives other data."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

import datagen


def fingerprint(path: Path) -> dict[str, tuple]:
    """Return (row count, sum of row hashes) per table: equal iff contents are equal.

    The sum of hashes does not depend on row order, and a duplicated row
    adds its hash twice, so it compares tables as multisets of rows.
    """
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT internal ORDER BY 1"
            ).fetchall()
        ]
        prints = {
            table: connection.execute(
                f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {table} t"
            ).fetchone()
            for table in tables
        }
        macros = connection.execute(
            "SELECT function_name, macro_definition FROM duckdb_functions() "
            "WHERE function_type = 'macro' AND NOT internal"
        ).fetchall()
    prints["macros"] = tuple(sorted(macros))
    return prints


def generate_like(dataset, out: Path, **changes) -> datagen.Summary:
    summary = dataset.summary
    options = {
        "seed": summary.seed,
        "merchants": summary.merchants,
        "as_of": summary.as_of,
        "history_days": summary.history_days,
        **changes,
    }
    return datagen.generate(out, **options)


def test_same_arguments_same_tables(small_dataset, tmp_path):
    again = generate_like(small_dataset, tmp_path / "again.duckdb")
    assert fingerprint(again.out) == fingerprint(small_dataset.path)
    assert fingerprint(again.answers) == fingerprint(small_dataset.answers)
    assert again.rows == small_dataset.summary.rows


def test_second_process_same_tables(small_dataset, tmp_path):
    summary = small_dataset.summary
    command = [
        sys.executable,
        "-m",
        "datagen",
        "--seed",
        str(summary.seed),
        "--merchants",
        str(summary.merchants),
        "--as-of",
        summary.as_of.isoformat(),
        "--history-days",
        str(summary.history_days),
        "--out",
        "data/copy.duckdb",
    ]
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, env=os.environ.copy()
    )
    assert done.returncode == 0, done.stderr
    out = tmp_path / "data" / "copy.duckdb"
    assert fingerprint(out) == fingerprint(small_dataset.path)
    assert fingerprint(tmp_path / "data" / "copy.answers.duckdb") == fingerprint(
        small_dataset.answers
    )


def test_batch_size_does_not_change_data(small_dataset, tmp_path):
    batched = generate_like(small_dataset, tmp_path / "batched.duckdb", batch_size=37)
    assert fingerprint(batched.out) == fingerprint(small_dataset.path)
    assert fingerprint(batched.answers) == fingerprint(small_dataset.answers)


def test_other_seed_changes_every_table(small_dataset, build_dataset):
    other = build_dataset(seed=1)
    mine, theirs = fingerprint(small_dataset.path), fingerprint(other.path)
    for table in mine:
        if table != "macros":
            assert mine[table] != theirs[table], table
    assert fingerprint(small_dataset.answers) != fingerprint(other.answers)


def test_fingerprint_sees_one_changed_value(small_dataset, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(small_dataset.path, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute(
            "UPDATE merchant_sessions SET duration_seconds = duration_seconds + 1 "
            "WHERE session_id = (SELECT min(session_id) FROM merchant_sessions)"
        )
    changed = fingerprint(copy)
    original = fingerprint(small_dataset.path)
    assert changed["merchant_sessions"] != original["merchant_sessions"]
    assert changed["merchant_features"] == original["merchant_features"]
