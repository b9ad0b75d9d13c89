"""Worker processes generate activity without changing the data or leaking."""

import signal
import subprocess
import sys
import time

import psutil
import pytest
from test_command_line import snapshot
from test_determinism import fingerprint, generate_like

import datagen
from datagen import activity_batches, writer
from datagen.errors import InvalidOption


def worker_processes() -> list[psutil.Process]:
    return psutil.Process().children(recursive=True)


@pytest.mark.parametrize("workers", [1, 3])
def test_worker_count_does_not_change_data(small_dataset, tmp_path, workers):
    out = tmp_path / f"workers{workers}.duckdb"
    again = generate_like(small_dataset, out, workers=workers, batch_size=23)
    assert fingerprint(again.out) == fingerprint(small_dataset.path)
    assert fingerprint(again.answers) == fingerprint(small_dataset.answers)


def test_failing_worker_keeps_dataset(small_dataset, tmp_path, monkeypatch):
    out = tmp_path / "merchants.duckdb"
    generate_like(small_dataset, out, workers=1)
    before = snapshot(tmp_path)
    generate_activity = activity_batches.merchant_activity

    def fail_once_started(ctx, merchant, contacts, edits):
        if merchant.merchant_id > 150:
            raise RuntimeError("activity generation failed")
        return generate_activity(ctx, merchant, contacts, edits)

    # Worker processes are forked after the patch, so they inherit it.
    monkeypatch.setattr(activity_batches, "merchant_activity", fail_once_started)
    with pytest.raises(RuntimeError, match="activity generation failed"):
        generate_like(small_dataset, out, workers=2, batch_size=20)
    assert snapshot(tmp_path) == before
    assert worker_processes() == []


def test_interrupt_stops_workers(small_dataset, tmp_path, monkeypatch):
    out = tmp_path / "merchants.duckdb"
    generate_like(small_dataset, out, workers=1)
    before = snapshot(tmp_path)
    append = writer.TemporaryDatabase.append

    def interrupt_activity(self, table, frame):
        if table == "merchant_features":
            raise KeyboardInterrupt
        append(self, table, frame)

    monkeypatch.setattr(writer.TemporaryDatabase, "append", interrupt_activity)
    with pytest.raises(KeyboardInterrupt):
        generate_like(small_dataset, out, workers=2, batch_size=20)
    assert snapshot(tmp_path) == before
    assert worker_processes() == []


def test_workers_exit_with_killed_parent(tmp_path):
    out = tmp_path / "merchants.duckdb"
    script = (
        "import datagen; "
        f"datagen.generate({str(out)!r}, merchants=300, workers=2, batch_size=5)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    workers = []
    deadline = time.monotonic() + 300
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = psutil.Process(parent.pid).children(recursive=True)
        time.sleep(0.1)
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    gone, alive = psutil.wait_procs(workers, timeout=30)
    assert alive == []


@pytest.mark.parametrize("workers", [0, -1, 65, 1.5, True])
def test_invalid_workers_rejected(tmp_path, workers):
    with pytest.raises(InvalidOption, match="workers"):
        datagen.generate(tmp_path / "x.duckdb", merchants=300, workers=workers)
