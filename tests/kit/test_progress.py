"""Progress file: atomic writes and recovery from a corrupt file."""

import json
import os

from kit import progress
from kit.progress import load_progress, record_check, save_progress


def test_first_check_creates_file(project):
    record_check("q2.top_arr", "incorrect", correct=False)
    record = json.loads((project / "progress.json").read_text())
    entry = record["exercises"]["q2.top_arr"]
    assert entry["attempts"] == 1
    assert entry["verdict"] == "incorrect"
    assert "first_correct_at" not in entry


def test_first_correct_time_kept(project):
    record_check("q2.top_arr", "correct", correct=True)
    first = load_progress()["exercises"]["q2.top_arr"]["first_correct_at"]
    record_check("q2.top_arr", "incorrect", correct=False)
    entry = load_progress()["exercises"]["q2.top_arr"]
    assert entry["first_correct_at"] == first
    assert entry["verdict"] == "incorrect"
    assert entry["attempts"] == 2


def test_default_path_under_workspace(project, monkeypatch):
    monkeypatch.delenv("KIT_PROGRESS")
    record_check("q4.audience", "correct", correct=True)
    assert (project / "workspace" / ".kit" / "progress.json").is_file()


def test_write_is_atomic(project, monkeypatch):
    path = project / "progress.json"
    save_progress({"version": 1, "exercises": {"a": {"attempts": 1}}}, path)

    def failing_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(progress.json, "dump", failing_dump)
    try:
        save_progress({"version": 1, "exercises": {}}, path)
    except OSError:
        pass
    assert json.loads(path.read_text())["exercises"] == {"a": {"attempts": 1}}
    assert [p.name for p in path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_corrupt_file_kept_aside(project, capsys):
    path = project / "progress.json"
    path.write_text("{not json", encoding="utf-8")
    record_check("q2.top_arr", "correct", correct=True)
    printed = capsys.readouterr().out
    kept = [p for p in path.parent.iterdir() if p.name.startswith("progress.corrupt-")]
    assert len(kept) == 1
    assert kept[0].read_text() == "{not json"
    assert printed.startswith("warning: the progress file progress.json was unreadable")
    assert kept[0].name in printed
    assert len(printed.splitlines()) == 1
    assert load_progress()["exercises"]["q2.top_arr"]["attempts"] == 1


def test_second_corrupt_file_gets_own_name(project, capsys):
    path = project / "progress.json"
    for text in ("[1, 2]", "{broken"):
        path.write_text(text, encoding="utf-8")
        load_progress()
    kept = sorted(p.name for p in path.parent.iterdir() if ".corrupt-" in p.name)
    assert len(kept) == 2


def test_unwritable_progress_does_not_break_check(project, monkeypatch, capsys):
    blocker = project / "blocked"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("KIT_PROGRESS", str(blocker / "progress.json"))
    from kit import check

    assert check("q4.audience", "csm").correct
    assert os.path.isfile(blocker)
    assert "progress for q4.audience was not saved" in capsys.readouterr().err


def test_malformed_entry_replaced(project):
    path = project / "progress.json"
    path.write_text('{"version": 1, "exercises": {"q2.top_arr": 5}}', encoding="utf-8")
    record_check("q2.top_arr", "correct", correct=True)
    assert load_progress()["exercises"]["q2.top_arr"]["attempts"] == 1


def test_malformed_field_counted_afresh(project, capsys):
    path = project / "progress.json"
    path.write_text(
        '{"version": 1, "exercises": {"q2.top_arr": {"attempts": "many"}}}',
        encoding="utf-8",
    )
    record_check("q2.top_arr", "correct", correct=True)
    assert load_progress()["exercises"]["q2.top_arr"]["attempts"] == 1
