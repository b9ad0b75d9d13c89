"""Bulk appends of the dataset writer, on a real DuckDB file."""

import threading
import time

import duckdb
import pandas as pd
import pytest

from datagen import writer
from datagen.writer import TemporaryDatabase


def frame(first: int, rows: int) -> pd.DataFrame:
    return pd.DataFrame({"n": range(first, first + rows)})


@pytest.fixture
def database(tmp_path):
    with TemporaryDatabase(tmp_path / "out.duckdb") as database:
        database.execute("CREATE TABLE numbers (n INTEGER)")
        yield database


def setting(database: TemporaryDatabase, name: str):
    ((value,),) = database.connection.execute(
        f"SELECT current_setting('{name}')"
    ).fetchall()
    return value


def committed_rows(database: TemporaryDatabase) -> int:
    """Return the row count on another connection, which counts committed rows."""
    other = database.connection.cursor()
    try:
        ((count,),) = other.execute("SELECT count(*) FROM numbers").fetchall()
        return count
    finally:
        other.close()


def test_bulk_append_keeps_rows(database):
    database.execute("SET threads = 2")
    memory_limit = setting(database, "memory_limit")
    with database.bulk_append():
        assert setting(database, "threads") == 1
        for first in range(0, 30, 10):
            database.append("numbers", frame(first, 10))
    assert committed_rows(database) == 30
    assert setting(database, "threads") == 2
    assert setting(database, "memory_limit") == memory_limit


def test_bulk_append_commits_periodically(database, monkeypatch):
    monkeypatch.setattr(writer, "BULK_COMMIT_ROWS", 5)
    with database.bulk_append():
        database.append("numbers", frame(0, 3))
        assert committed_rows(database) == 0
        database.append("numbers", frame(3, 3))
        assert committed_rows(database) == 6
        database.append("numbers", frame(6, 3))
        assert committed_rows(database) == 6
    assert committed_rows(database) == 9


def test_bulk_append_error_rolls_back(database):
    database.execute("SET threads = 2")
    with pytest.raises(KeyboardInterrupt):
        with database.bulk_append():
            database.append("numbers", frame(0, 10))
            raise KeyboardInterrupt
    assert committed_rows(database) == 0
    assert setting(database, "threads") == 2
    database.append("numbers", frame(0, 4))
    assert committed_rows(database) == 4


def test_bulk_append_reports_failed_insert(database):
    database.execute("SET threads = 2")
    words = pd.DataFrame({"n": ["one"]})

    with pytest.raises(duckdb.ConversionException, match="one"):
        with database.bulk_append():
            database.append("numbers", frame(0, 3))
            database.append("numbers", words)

    assert committed_rows(database) == 0
    assert setting(database, "threads") == 2


LONG_QUERY = "SELECT count(*) FROM range(100_000_000_000) t(x) WHERE x % 7 = 3"


def test_interrupted_query_recognised():
    raised = []
    # Closed at the end, because a later test forks this process, and a
    # fork must not copy a live DuckDB instance with its threads.
    with duckdb.connect() as connection:

        def run() -> None:
            try:
                connection.execute(LONG_QUERY).fetchall()
            except duckdb.Error as error:
                raised.append(error)

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.5)
        connection.interrupt()
        thread.join()

    assert len(raised) == 1
    assert writer.is_interrupt(raised[0])
    # What DuckDB raises instead when SIGINT arrives during a query.
    assert writer.is_interrupt(RuntimeError("Query interrupted"))
    assert not writer.is_interrupt(RuntimeError("Query failed"))


def fail_publishing(monkeypatch, failing: TemporaryDatabase) -> None:
    """Make ``failing.publish()`` raise as a rename without permission does."""
    publish = TemporaryDatabase.publish

    def publish_or_fail(database: TemporaryDatabase) -> None:
        if database is failing:
            raise PermissionError(1, "Operation not permitted")
        publish(database)

    monkeypatch.setattr(TemporaryDatabase, "publish", publish_or_fail)


def test_failed_second_publish_restores_first(tmp_path, monkeypatch):
    final = tmp_path / "data.duckdb"
    final.write_bytes(b"earlier dataset")
    first = TemporaryDatabase(final)
    second = TemporaryDatabase(tmp_path / "key.duckdb")
    fail_publishing(monkeypatch, second)

    with first, second, pytest.raises(PermissionError):
        writer.publish_together(first, second)

    assert final.read_bytes() == b"earlier dataset"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data.duckdb"]


def test_failed_second_publish_removes_new_first(tmp_path, monkeypatch):
    first = TemporaryDatabase(tmp_path / "data.duckdb")
    second = TemporaryDatabase(tmp_path / "key.duckdb")
    fail_publishing(monkeypatch, second)

    with first, second, pytest.raises(PermissionError):
        writer.publish_together(first, second)

    assert list(tmp_path.iterdir()) == []
