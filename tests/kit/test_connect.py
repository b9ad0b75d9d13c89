"""connect(): read-only access, rebuild handling, and an import that opens nothing."""

import os
import subprocess
import sys

import duckdb
import pytest
from kit_project import TOP_ARR_SQL, write_dataset

from kit import check, connect, db
from kit.errors import DatasetLocked, DatasetNotFound


def merchant_count(connection):
    return connection.execute("SELECT COUNT(*) FROM merchants").fetchone()[0]


def rebuild(path, extra_merchants):
    """Write a new dataset beside ``path`` and rename it into place."""
    before = os.stat(path).st_ino
    write_dataset(path, extra_merchants=extra_merchants)
    assert os.stat(path).st_ino != before


def test_connection_is_read_only(project):
    con = connect()
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("DROP TABLE merchants")


def test_external_access_off(project, tmp_path):
    con = connect()
    with pytest.raises(duckdb.Error, match="disabled by configuration"):
        con.execute(f"ATTACH '{tmp_path / 'other.duckdb'}'")
    with pytest.raises(duckdb.Error):
        con.execute(f"COPY merchants TO '{tmp_path / 'out.csv'}'")


def test_missing_dataset_named(project, monkeypatch):
    monkeypatch.setenv("KIT_DB", str(project / "absent.duckdb"))
    with pytest.raises(DatasetNotFound, match="absent.duckdb does not exist") as info:
        connect()
    assert f"python -m datagen --out {project / 'absent.duckdb'}" in str(info.value)


def test_folder_as_dataset_named(project, monkeypatch):
    monkeypatch.setenv("KIT_DB", str(project))
    with pytest.raises(DatasetNotFound, match="is a folder"):
        connect()


def test_nearest_dataset_found_above_cwd(project, monkeypatch):
    monkeypatch.delenv("KIT_DB")
    notebook_dir = project / "workspace"
    monkeypatch.chdir(notebook_dir)
    assert merchant_count(connect()) == 6


def test_rebuilt_file_reopened_with_notice(project, capsys):
    path = project / "data" / "merchants.duckdb"
    old = connect()
    assert merchant_count(old) == 6
    rebuild(path, extra_merchants=3)
    fresh = connect()
    printed = capsys.readouterr().out
    assert merchant_count(fresh) == 9
    assert "was rebuilt, so the kit closed the earlier `con` connections" in printed
    assert "run `con = connect()` again" in printed
    assert "restart the kernel" not in printed
    with pytest.raises(duckdb.Error):
        old.execute("SELECT 1")


def test_rebuild_noticed_by_check(project, capsys):
    path = project / "data" / "merchants.duckdb"
    assert check("q2.top_arr", TOP_ARR_SQL).correct
    old = connect()
    rebuild(path, extra_merchants=2)
    assert check("q2.top_arr", TOP_ARR_SQL).correct
    assert "was rebuilt" in capsys.readouterr().out
    with pytest.raises(duckdb.Error):
        old.execute("SELECT 1")
    assert merchant_count(connect()) == 8


def test_no_notice_without_rebuild(project, capsys):
    connect()
    connect()
    assert capsys.readouterr().out == ""


def test_foreign_connection_keeps_old_data_so_restart_advised(project, capsys):
    path = project / "data" / "merchants.duckdb"
    kit_connection = connect()
    foreign = duckdb.connect(str(path), read_only=True, config=db.READ_ONLY_CONFIG)
    try:
        rebuild(path, extra_merchants=40)
        fresh = connect()
        printed = capsys.readouterr().out
        assert merchant_count(fresh) == 6
        assert "DuckDB still returns the old data" in printed
        assert "restart the kernel" in printed
    finally:
        foreign.close()
    del kit_connection


def test_locked_dataset_reported(project, tmp_path):
    path = tmp_path / "writing.duckdb"
    script = (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(path)!r})\n"
        "con.execute('CREATE TABLE t (i INTEGER)')\n"
        "print('ready', flush=True)\n"
        "time.sleep(30)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert writer.stdout.readline().strip() == b"ready"
        with pytest.raises(DatasetLocked, match="locked by another process"):
            connect(path)
    finally:
        writer.kill()
        writer.wait()


def test_import_opens_nothing(tmp_path):
    script = (
        "import duckdb\n"
        "def refuse(*args, **kwargs):\n"
        "    raise AssertionError('connect called at import')\n"
        "duckdb.connect = refuse\n"
        "import kit, kit.checking, kit.cli\n"
        "print('imported')\n"
    )
    env = {**os.environ, "KIT_DB": str(tmp_path / "absent.duckdb")}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported\n"


def test_import_leaves_notebook_reading_out():
    """A kernel's `import kit` skips nbformat, whose import takes over a second."""
    script = "import sys, kit\nprint('nbformat' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "False\n"
