"""The command line as a user runs it: real subprocesses in a temporary folder."""

import hashlib
import os
import pickle
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

import datagen
from datagen import build
from datagen.errors import InvalidOption, OutputNotWritable, WriteFailed


def run_cli(*args: str, cwd: Path, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "datagen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        preexec_fn=preexec_fn,
    )


def files_under(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


# Bytes: far less than a dataset of 300 merchants takes.
SMALL_FILE = 2_000_000


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nobody can create files in, even root (immutable when root)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    as_root = os.geteuid() == 0
    if as_root:
        if shutil.which("chattr") is None:
            pytest.skip("chattr is missing, so root cannot lock a folder")
        locked = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        if locked.returncode != 0:
            pytest.skip(f"chattr +i failed: {locked.stderr.decode().strip()}")
    else:
        folder.chmod(0o555)
    try:
        try:
            (folder / "probe").touch()
        except OSError:
            yield folder
        else:
            pytest.skip("this file system lets the test user write a locked folder")
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_help_lists_flags_with_defaults(tmp_path):
    done = run_cli("--help", cwd=tmp_path)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for flag, default in [
        ("--seed", "(default: 42)"),
        ("--merchants", "(default: 1000)"),
        ("--as-of", "(default: 2026-06-30)"),
        ("--history-days", "(default: 400 days)"),
        ("--out", "(default: data/merchants.duckdb)"),
        ("--workers", "(default: one per core, at most 8)"),
    ]:
        assert flag in text
        assert default in text
    assert "YYYY-MM-DD" in text
    assert "relative to the working folder" in text


def test_relative_out_in_working_folder(tmp_path):
    done = run_cli("--merchants", "300", "--out", "nested/set.duckdb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert files_under(tmp_path) == [
        Path("nested/set.answers.duckdb"),
        Path("nested/set.duckdb"),
    ]
    assert "Wrote nested/set.duckdb" in done.stdout
    assert "merchant_sessions" in done.stdout
    assert "Answer key: nested/set.answers.duckdb" in done.stdout
    assert "Traceback" not in done.stderr


BAD_VALUES = [
    (["--merchants", "0"], "--merchants 0"),
    (["--merchants", "-5"], "--merchants -5"),
    (["--merchants", "abc"], "--merchants 'abc'"),
    (["--merchants", "299"], "--merchants 299"),
    (["--merchants", "2.5"], "--merchants '2.5'"),
    (["--as-of", "2026-02-30"], "--as-of '2026-02-30'"),
    (["--as-of", "tomorrow"], "--as-of 'tomorrow'"),
    (["--as-of", "30/06/2026"], "--as-of '30/06/2026'"),
    (["--history-days", "119"], "--history-days 119"),
    (["--history-days", "many"], "--history-days 'many'"),
    (["--seed", "-1"], "--seed -1"),
    (["--seed", "x"], "--seed 'x'"),
    (["--size", "10"], "--size"),
    (["--as-of", "9999-12-31"], "--as-of '9999-12-31'"),
    (["--as-of", "1900-01-01"], "--as-of '1900-01-01'"),
    (["--workers", "0"], "--workers 0"),
    (["--workers", "two"], "--workers 'two'"),
    (["--workers", "65"], "--workers 65"),
]


def assert_one_line_error(done: subprocess.CompletedProcess, value: str) -> None:
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("datagen: error: ")
    assert value in lines[0]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args,value", BAD_VALUES, ids=lambda v: " ".join(v))
def test_bad_value_exits_two(tmp_path, args, value):
    done = run_cli(*args, "--out", "data/merchants.duckdb", cwd=tmp_path)
    assert_one_line_error(done, value)
    assert files_under(tmp_path) == []
    assert not (tmp_path / "data").exists()


def test_bad_value_message_names_fix(tmp_path):
    done = run_cli("--merchants", "299", cwd=tmp_path)
    assert "Use --merchants 300 or more." in done.stderr
    done = run_cli("--history-days", "30", cwd=tmp_path)
    assert "Use --history-days 120 or more." in done.stderr


@pytest.mark.parametrize("out", ["", " ", "data/"])
def test_out_naming_no_file_exits_two(tmp_path, out):
    done = run_cli("--out", out, cwd=tmp_path)
    assert_one_line_error(done, f"--out {out!r}")
    assert files_under(tmp_path) == []


def test_out_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe.duckdb"
    os.mkfifo(fifo)
    done = run_cli("--out", str(fifo), cwd=tmp_path)
    assert_one_line_error(done, "not a regular file")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_out_is_folder(tmp_path):
    (tmp_path / "data").mkdir()
    done = run_cli("--merchants", "300", "--out", "data", cwd=tmp_path)
    assert_one_line_error(done, "--out data")
    assert "it is a folder" in done.stderr
    assert files_under(tmp_path) == []


def test_out_under_a_file(tmp_path):
    (tmp_path / "blocker").write_text("not a folder")
    done = run_cli("--merchants", "300", "--out", "blocker/sub/x.duckdb", cwd=tmp_path)
    assert_one_line_error(done, "--out blocker/sub/x.duckdb")
    assert "is a file, not a folder" in done.stderr
    assert files_under(tmp_path) == [Path("blocker")]


def test_out_folder_not_creatable(tmp_path, read_only_folder):
    done = run_cli(
        "--merchants",
        "300",
        "--out",
        "locked/new/x.duckdb",
        cwd=read_only_folder.parent,
    )
    assert_one_line_error(done, "--out locked/new/x.duckdb")
    assert "cannot create folder locked/new" in done.stderr
    assert files_under(read_only_folder) == []


def test_out_folder_read_only(tmp_path, read_only_folder):
    done = run_cli("--merchants", "300", "--out", "locked/x.duckdb", cwd=tmp_path)
    assert_one_line_error(done, "--out locked/x.duckdb")
    assert "not writable" in done.stderr
    assert files_under(read_only_folder) == []


@pytest.fixture
def existing_dataset(small_dataset, tmp_path):
    """A copy of a generated dataset and its answer key in tmp_path/data."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(small_dataset.path, folder / "merchants.duckdb")
    shutil.copy(small_dataset.answers, folder / "merchants.answers.duckdb")
    return folder / "merchants.duckdb"


def snapshot(folder: Path) -> dict[Path, tuple[int, str]]:
    return {p: (p.stat().st_ino, digest(p)) for p in sorted(folder.iterdir())}


def test_bad_value_keeps_dataset(existing_dataset, tmp_path):
    before = snapshot(existing_dataset.parent)
    done = run_cli("--merchants", "299", cwd=tmp_path)
    assert done.returncode == 2
    assert snapshot(existing_dataset.parent) == before


def test_failed_run_keeps_dataset(existing_dataset, monkeypatch):
    before = snapshot(existing_dataset.parent)

    def fail(*args, **kwargs):
        raise RuntimeError("activity generation failed")

    monkeypatch.setattr(build, "_write_activity", fail)
    with pytest.raises(RuntimeError, match="activity generation failed"):
        datagen.generate(existing_dataset, merchants=300)
    assert snapshot(existing_dataset.parent) == before


def test_failed_run_removes_new_folder(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("activity generation failed")

    monkeypatch.setattr(build, "_write_activity", fail)
    with pytest.raises(RuntimeError):
        datagen.generate(tmp_path / "new" / "deeper" / "x.duckdb", merchants=300)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_dataset(existing_dataset, tmp_path, cap_files):
    before = snapshot(existing_dataset.parent)

    done = run_cli("--merchants", "300", cwd=tmp_path, preexec_fn=cap_files(SMALL_FILE))

    assert_one_line_error(done, "--out data/merchants.duckdb")
    assert "writing failed (File too large)" in done.stderr
    assert "(ulimit -f) stopped it: raise the limit" in done.stderr
    assert snapshot(existing_dataset.parent) == before


def test_failed_parquet_write_names_folder(tmp_path, cap_files):
    done = run_cli(
        "--format", "parquet", "--merchants", "300", "--out", "export",
        cwd=tmp_path, preexec_fn=cap_files(SMALL_FILE),
    )  # fmt: skip

    assert_one_line_error(done, "--out export")
    assert "writing failed (File too large)" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_while_writing_keeps_dataset(existing_dataset, tmp_path):
    before = snapshot(existing_dataset.parent)
    command = [sys.executable, "-m", "datagen", "--merchants", "1000"]
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )

    # Past the first tables the file grows as activity is appended, which
    # is where most of a run's time goes.
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        temporary = list(existing_dataset.parent.glob(".merchants.duckdb.*.tmp"))
        if temporary and temporary[0].stat().st_size > 20_000_000:
            process.send_signal(signal.SIGINT)
            break
        time.sleep(0.05)
    stdout, stderr = process.communicate(timeout=120)

    assert process.returncode == 130, stderr
    assert stdout == ""
    assert stderr == "datagen: interrupted; the previous dataset is unchanged\n"
    assert snapshot(existing_dataset.parent) == before


@pytest.mark.parametrize(
    "error",
    [
        InvalidOption("--merchants", 5, "expected 300 or more"),
        OutputNotWritable(Path("x.duckdb"), "it is a folder."),
        WriteFailed(Path("x.duckdb"), "No space left on device"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_error_survives_pickling(error):
    # A worker process sends its error back to its parent as a pickle.
    copy = pickle.loads(pickle.dumps(error))

    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


@pytest.mark.parametrize("out_format", ["duckdb", "parquet"])
def test_home_folder_expanded(tmp_path, monkeypatch, out_format):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))

    done = run_cli(
        "--merchants", "300", "--format", out_format, "--out", "~/sets/m",
        cwd=work,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in (home / "sets").iterdir()) == [
        "m",
        "m.answers" if out_format == "parquet" else "m.answers.duckdb",
    ]
    assert list(work.iterdir()) == []


def test_failed_key_rename_keeps_both(existing_dataset, tmp_path):
    if os.geteuid() != 0 or shutil.which("chattr") is None:
        pytest.skip("only root with chattr can make the answer key immutable")
    key = existing_dataset.parent / "merchants.answers.duckdb"
    before = snapshot(existing_dataset.parent)
    locked = subprocess.run(["chattr", "+i", str(key)], capture_output=True)
    if locked.returncode != 0:
        pytest.skip(f"chattr +i failed: {locked.stderr.decode().strip()}")

    try:
        done = run_cli("--merchants", "300", "--seed", "7", cwd=tmp_path)
    finally:
        subprocess.run(["chattr", "-i", str(key)], check=True)

    assert_one_line_error(done, "--out data/merchants.duckdb")
    assert "writing failed (Operation not permitted)" in done.stderr
    assert snapshot(existing_dataset.parent) == before


def test_answer_key_folder_rejected(tmp_path):
    (tmp_path / "data" / "m.answers.duckdb").mkdir(parents=True)

    done = run_cli("--out", "data/m.duckdb", cwd=tmp_path)

    assert_one_line_error(done, "--out data/m.duckdb")
    assert "data/m.answers.duckdb, where its answer key goes, is a folder" in (
        done.stderr
    )


def test_log_folder_rejected(tmp_path):
    (tmp_path / "data" / "m.duckdb.wal").mkdir(parents=True)

    done = run_cli("--out", "data/m.duckdb", cwd=tmp_path)

    assert_one_line_error(done, "--out data/m.duckdb")
    assert "data/m.duckdb.wal, where DuckDB keeps the log" in done.stderr


def test_library_raises_datagen_errors(tmp_path):
    with pytest.raises(InvalidOption, match="--merchants 299"):
        datagen.generate(tmp_path / "x.duckdb", merchants=299)
    with pytest.raises(InvalidOption, match="--history-days 60"):
        datagen.generate(tmp_path / "x.duckdb", merchants=300, history_days=60)
    with pytest.raises(InvalidOption, match="--as-of"):
        datagen.generate(tmp_path / "x.duckdb", as_of="2026-06-30")
    with pytest.raises(OutputNotWritable, match="it is a folder"):
        datagen.generate(tmp_path, merchants=300)
    assert list(tmp_path.iterdir()) == []
