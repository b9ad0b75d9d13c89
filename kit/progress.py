"""The candidate's progress: latest verdict, attempts, first correct time, hints.

The file is JSON at $KIT_PROGRESS, else workspace/.kit/progress.json. Every
write goes to a temporary file that replaces the old one, so a crash never
leaves half a file. A file that cannot be read as progress is kept aside
under a timestamped name with a one-line warning, and a fresh record starts.
"""

import datetime as dt
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

from kit import paths

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def load_progress(path: Path | None = None) -> dict:
    """Return the progress record, setting a corrupt file aside first."""
    path = path or paths.progress_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _empty()
    except OSError as error:
        log.warning("cannot read progress file %s: %s", path, error)
        return _empty()
    try:
        record = json.loads(text)
        if not isinstance(record, dict) or not isinstance(
            record.get("exercises"), dict
        ):
            raise ValueError("no `exercises` mapping")
    except ValueError as error:
        _set_aside(path, error)
        return _empty()
    return record


def _empty() -> dict:
    return {"version": FORMAT_VERSION, "exercises": {}}


def _set_aside(path: Path, error: Exception) -> None:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.stem}.corrupt-{stamp}-{counter}{path.suffix}")
        counter += 1
    try:
        os.replace(path, target)
    except OSError as move_error:
        log.warning("cannot set aside corrupt progress file %s: %s", path, move_error)
        return
    print(
        f"warning: the progress file {path.name} was unreadable ({error}); "
        f"kept it as {target.name} and started a new one."
    )


def save_progress(record: dict, path: Path | None = None) -> None:
    """Write the progress record atomically: a temporary file, then os.replace."""
    path = path or paths.progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream, indent=2, sort_keys=True)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _update(exercise_id: str, change) -> dict:
    path = paths.progress_path()
    record = load_progress(path)
    entry = record["exercises"].get(exercise_id)
    if not isinstance(entry, dict):
        entry = record["exercises"][exercise_id] = {}
    change(entry)
    save_progress(record, path)
    return entry


def record_check(exercise_id: str, verdict: str, correct: bool) -> None:
    """Record one check of an exercise.

    A file that cannot be read as progress or written gives a warning, not an error.
    """

    def change(entry: dict) -> None:
        now = _now()
        entry["verdict"] = verdict
        attempts = entry.get("attempts")
        entry["attempts"] = (attempts if isinstance(attempts, int) else 0) + 1
        entry["last_checked_at"] = now
        if correct and not entry.get("first_correct_at"):
            entry["first_correct_at"] = now

    _update_quietly(exercise_id, change)


def record_hint(exercise_id: str, hints_seen: int) -> None:
    def change(entry: dict) -> None:
        seen = entry.get("hints_seen")
        entry["hints_seen"] = max(seen if isinstance(seen, int) else 0, hints_seen)

    _update_quietly(exercise_id, change)


def record_solution_seen(exercise_id: str) -> None:
    def change(entry: dict) -> None:
        entry["solution_seen"] = True

    _update_quietly(exercise_id, change)


def record_rubric(exercise_id: str, ticks: dict[str, bool]) -> None:
    """Record which items of an exercise's self-assessment rubric are ticked."""

    def change(entry: dict) -> None:
        entry["rubric"] = {item: bool(ticked) for item, ticked in ticks.items()}

    _update_quietly(exercise_id, change)


def _update_quietly(exercise_id: str, change) -> None:
    try:
        _update(exercise_id, change)
    except (OSError, TypeError, ValueError) as error:
        # A hand-edited or unwritable file must not turn a check into an error.
        log.warning("cannot save progress for %s: %s", exercise_id, error)
        print(
            f"warning: progress for {exercise_id} was not saved to "
            f"{paths.progress_path()} ({error}); fix or remove that file.",
            file=sys.stderr,
        )


def exercise_progress(exercise_id: str) -> dict:
    entry = load_progress()["exercises"].get(exercise_id)
    return entry if isinstance(entry, dict) else {}
