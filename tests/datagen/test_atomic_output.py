"""The dataset file is replaced atomically and never disturbs a reader."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

import datagen

# Creates a table in a DuckDB file and exits without a checkpoint, leaving
# the file's write-ahead log behind as a crashed writer would.
CRASHED_WRITER = textwrap.dedent(
    """
    import os, sys, duckdb
    connection = duckdb.connect(sys.argv[1])
    connection.execute("PRAGMA disable_checkpoint_on_shutdown")
    connection.execute("SET checkpoint_threshold = '10GB'")
    connection.execute("CREATE TABLE crashed AS SELECT range AS i FROM range(1000)")
    os._exit(0)
    """
)

# Holds the dataset open read-only and reads it until a flag file appears,
# reporting any change. Then it reconnects and prints what a new connection reads.
READER = textwrap.dedent(
    """
    import sys, time, duckdb
    from pathlib import Path
    path, flag = sys.argv[1], Path(sys.argv[2])

    def snapshot(connection):
        seed = connection.execute("SELECT seed FROM dataset_info").fetchone()[0]
        count, total = connection.execute(
            "SELECT count(*), sum(hash(s)::HUGEINT) FROM merchant_sessions s"
        ).fetchone()
        return f"{seed} {count} {total}"

    connection = duckdb.connect(path, read_only=True)
    first = snapshot(connection)
    print("ready", first, flush=True)
    reads = 0
    while not flag.exists():
        if snapshot(connection) != first:
            print("changed", flush=True)
        reads += 1
        time.sleep(0.05)
    print("after", snapshot(connection), reads, flush=True)
    connection.close()
    print("reopened", snapshot(duckdb.connect(path, read_only=True)), flush=True)
    """
)


def make_stale_wal(path: Path) -> Path:
    """Leave a write-ahead log at ``path``.wal that belongs to another database."""
    scratch = path.with_name("scratch.duckdb")
    subprocess.run([sys.executable, "-c", CRASHED_WRITER, str(scratch)], check=True)
    wal = path.with_name(path.name + ".wal")
    shutil.move(scratch.with_name(scratch.name + ".wal"), wal)
    scratch.unlink()
    return wal


def test_stale_wal_makes_copy_unopenable(small_dataset, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(small_dataset.path, copy)
    make_stale_wal(copy)
    with pytest.raises(duckdb.Error, match="WAL"):
        duckdb.connect(str(copy), read_only=True)


def test_rebuild_removes_stale_wal(tmp_path):
    out = tmp_path / "merchants.duckdb"
    datagen.generate(out, merchants=300, seed=5)
    wal = make_stale_wal(out)
    answer_wal = make_stale_wal(tmp_path / "merchants.answers.duckdb")
    datagen.generate(out, merchants=300, seed=6)
    assert not wal.exists()
    assert not answer_wal.exists()
    with duckdb.connect(str(out), read_only=True) as connection:
        assert connection.execute("SELECT seed FROM dataset_info").fetchone() == (6,)
    with duckdb.connect(
        str(tmp_path / "merchants.answers.duckdb"), read_only=True
    ) as key:
        assert key.execute("SELECT seed FROM dataset_info").fetchone() == (6,)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "merchants.answers.duckdb",
        "merchants.duckdb",
    ]


def test_reader_keeps_old_data_during_rebuild(small_dataset, tmp_path):
    out = tmp_path / "merchants.duckdb"
    shutil.copy(small_dataset.path, out)
    shutil.copy(small_dataset.answers, tmp_path / "merchants.answers.duckdb")
    flag = tmp_path / "rebuilt"

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(out), str(flag)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = reader.stdout.readline().split()
        assert ready[:2] == ["ready", "42"], reader.stderr.read()
        rebuild = subprocess.run(
            [sys.executable, "-m", "datagen", "--seed", "7", "--merchants", "300"]
            + ["--out", str(out)],
            capture_output=True,
            text=True,
        )
        flag.touch()
        lines = [
            line.split() for line in reader.communicate(timeout=60)[0].splitlines()
        ]
    finally:
        reader.kill()

    assert rebuild.returncode == 0, rebuild.stderr
    assert ["changed"] not in lines
    after = lines[0]
    assert after[0] == "after"
    assert after[1:4] == ready[1:4]
    assert int(after[4]) > 10
    reopened = lines[1]
    assert reopened[:2] == ["reopened", "7"]
    with duckdb.connect(str(out), read_only=True) as connection:
        assert connection.execute("SELECT seed FROM dataset_info").fetchone() == (7,)
