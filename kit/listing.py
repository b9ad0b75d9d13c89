"""`python -m kit list`: every exercise with the candidate's status."""

from kit.progress import load_progress
from kit.registry import load_registry
from kit.table import format_table

HEADERS = ["ID", "NOTEBOOK", "TYPE", "AUDIENCE", "STATUS"]


def exercise_table() -> str:
    """Return the exercise list as a plain-text table."""
    progress = load_progress()["exercises"]
    rows = []
    for exercise in load_registry():
        rows.append(
            [
                exercise.id,
                exercise.notebook,
                exercise.question_type,
                exercise.audience,
                _status(progress.get(exercise.id, {})),
            ]
        )
    return format_table(HEADERS, rows)


def _status(entry: dict) -> str:
    verdict = entry.get("verdict")
    if verdict is None:
        return "not started"
    attempts = entry.get("attempts", 0)
    status = f"{verdict} ({attempts} {'check' if attempts == 1 else 'checks'})"
    if entry.get("first_correct_at") and verdict != "correct":
        status += ", solved before"
    return status
