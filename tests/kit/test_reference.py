"""The reference cache: a reference is recomputed when a solution it runs changes."""

import os

import pytest
import yaml
from kit_project import REGISTRY

from kit.errors import ReferenceFailed
from kit.reference import reference_answer
from kit.registry import load_registry


def _project_with_uses(project):
    """Make q3.active_arr use q5.low_activity and count the ids it lists."""
    exercises = yaml.safe_load(REGISTRY)["exercises"]
    (active,) = [entry for entry in exercises if entry["id"] == "q3.active_arr"]
    active["uses"] = ["q5.low_activity"]
    (project / "exercises.yaml").write_text(
        yaml.safe_dump({"exercises": exercises}), encoding="utf-8"
    )
    (project / "solutions" / "q3" / "active_arr.py").write_text(
        "answer = float(len(answer))\n", encoding="utf-8"
    )


def _rewrite(path, text):
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_edited_used_solution_changes_reference(project):
    _project_with_uses(project)
    exercise = load_registry().get("q3.active_arr")
    dataset = project / "data" / "merchants.duckdb"
    used = project / "solutions" / "q5" / "low_activity.py"

    _rewrite(used, "answer = [1, 2, 3]\n")
    assert reference_answer(exercise, dataset) == 3.0

    _rewrite(used, "answer = [1]\n")
    assert reference_answer(exercise, dataset) == 1.0


def test_missing_used_solution_named(project):
    _project_with_uses(project)
    exercise = load_registry().get("q3.active_arr")
    (project / "solutions" / "q5" / "low_activity.py").unlink()

    with pytest.raises(ReferenceFailed) as raised:
        reference_answer(exercise, project / "data" / "merchants.duckdb")

    message = str(raised.value)
    assert "q5/low_activity.py" in message
    assert "q5.low_activity" in message
    assert "restore it under solutions/" in message
