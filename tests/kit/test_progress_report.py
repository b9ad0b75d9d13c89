"""`python -m kit progress`: a table per notebook, whatever state the record is in."""

import json

from kit.progress_report import progress_table


def test_progress_counted_per_notebook(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    record = {
        "version": 1,
        "exercises": {
            "q0.active_merchants": {"verdict": "correct", "hints_seen": 2},
            "q0.who_asks": {"verdict": "incorrect", "solution_seen": True},
        },
    }
    path.write_text(json.dumps(record))
    monkeypatch.setenv("KIT_PROGRESS", str(path))

    line = next(row for row in progress_table().splitlines() if row.startswith("00_"))

    assert line.split() == ["00_start", "3", "1", "2", "2", "1"]


def test_missing_progress_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_PROGRESS", str(tmp_path / "none" / "progress.json"))

    assert "No progress recorded yet" in progress_table()


def test_corrupt_progress_set_aside_and_reported(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    path.write_text("{not json")
    monkeypatch.setenv("KIT_PROGRESS", str(path))

    table = progress_table()

    assert "could not be read and was set aside" in table
    assert len(list(tmp_path.glob("progress.corrupt-*.json"))) == 1
