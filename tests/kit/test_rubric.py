"""The self-assessment rubric saves its ticks with the progress."""

import json

import pytest

from kit.errors import UnknownExercise
from kit.rubric import rubric

ITEMS = ["It opens with the renewal date.", "It names one driver."]


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("KIT_PROGRESS", str(path))
    return path


def test_ticks_saved_with_progress(progress_file):
    boxes = rubric("q4.am_brief", ITEMS)

    boxes.children[1].value = True

    saved = json.loads(progress_file.read_text())["exercises"]["q4.am_brief"]
    assert saved["rubric"] == {ITEMS[0]: False, ITEMS[1]: True}


def test_ticks_restored_from_progress(progress_file):
    rubric("q4.am_brief", ITEMS).children[0].value = True

    again = rubric("q4.am_brief", ITEMS)

    assert [box.value for box in again.children] == [True, False]


def test_unknown_exercise_rejected(progress_file):
    with pytest.raises(UnknownExercise, match="q4.am_breif"):
        rubric("q4.am_breif", ITEMS)


@pytest.mark.parametrize("items", [[], [""], ["ok", 3]])
def test_bad_items_rejected(progress_file, items):
    with pytest.raises(ValueError, match="non-empty list of text"):
        rubric("q4.am_brief", items)
