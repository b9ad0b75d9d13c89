"""The kernel side of a mock interview: the clock, audience statements, checks.

A mock notebook imports ``start``, ``audience``, ``check`` and ``finish``
from here. Each call appends one event to events.jsonl in the mock's
folder, in the order the candidate ran the cells: the start, every
audience statement, every check with its verdict, and the finish.
``python -m kit mock --grade`` reads that record for the times and the
order, and re-runs the notebook for the verdicts (kit.mock_grade).

Under ``python -m kit mock --grade`` the notebook runs again with
KIT_GRADING set. Then nothing is recorded, and start() connects to the
dataset copy that the grader names in $KIT_DB.
"""

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kit import checking, db, paths
from kit.errors import CheckFailed
from kit.verdict import Verdict

log = logging.getLogger(__name__)

STATE_FILE = "mock.json"
EVENTS_FILE = "events.jsonl"
NOTEBOOK_FILE = "mock.ipynb"
AUDIENCES = ("am", "csm", "both")


@dataclass
class Session:
    """The running mock: its folder, its time limit and when it started."""

    folder: Path
    minutes: int
    started: dt.datetime

    def record(self, event: str, **fields) -> dt.datetime:
        now = dt.datetime.now(dt.UTC)
        line = {"event": event, "time": now.isoformat(), **fields}
        with open(self.folder / EVENTS_FILE, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(line) + "\n")
        return now

    @property
    def deadline(self) -> dt.datetime:
        return self.started + dt.timedelta(minutes=self.minutes)


_session: Session | None = None


def read_events(folder: Path) -> list[dict]:
    """Return the recorded events in the order they were written.

    A time without a UTC offset, as a hand edit may leave, is read as UTC.
    Lines that are not an event, such as an audience event without its
    audience, are skipped with a warning.
    """
    try:
        lines = (folder / EVENTS_FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    events = []
    for number, line in enumerate(lines, start=1):
        item = _event(line)
        if item is None:
            if line.strip():
                log.warning(
                    "skipped line %d of %s: not a valid event, so fix or delete it",
                    number,
                    EVENTS_FILE,
                )
            continue
        events.append(item)
    return events


def _event(line: str) -> dict | None:
    """Return one line of events.jsonl with its time in ``at``, None if invalid."""
    try:
        item = json.loads(line)
        at = dt.datetime.fromisoformat(item["time"])
    except (ValueError, KeyError, TypeError):
        return None
    kind = item.get("event")
    if kind in ("audience", "check") and not isinstance(item.get("exercise"), str):
        return None
    if kind == "audience" and not isinstance(item.get("audience"), str):
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    item["at"] = at
    return item


def start(folder: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Start the clock (once per mock) and return a connection to its dataset.

    ``folder`` is the mock's folder, by default the working folder, which
    Jupyter sets to the notebook's. Checks in a mock record their progress
    in the mock's folder, so they leave the practice progress alone.
    """
    global _session
    if os.environ.get(checking.GRADING_VARIABLE):
        return db.connect()
    folder = Path(folder) if folder is not None else Path.cwd()
    state_file = folder / STATE_FILE
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        minutes = int(state["minutes"])
    except (OSError, ValueError, KeyError, TypeError):
        print(
            f"warning: no readable {STATE_FILE} in {folder}, so this is not a mock "
            "folder and nothing is timed: open the notebook that "
            "`python -m kit mock` wrote."
        )
        return db.connect()
    os.environ["KIT_PROGRESS"] = str(folder / ".kit" / "progress.json")
    started = [e["at"] for e in read_events(folder) if e.get("event") == "start"]
    _session = Session(folder, minutes, started[0] if started else None)
    now = _session.record("start")
    if not started:
        _session.started = now
        print(f"The clock is running: you have {minutes} minutes. Good luck.")
    else:
        print(f"Welcome back. {_time_left(_session, now)}")
    return db.connect(folder / "data" / paths.DEFAULT_DB_NAME)


def audience(exercise_id: str, who: str) -> None:
    """Record who consumes the answer to a question: "am", "csm" or "both"."""
    value = who.strip().lower() if isinstance(who, str) else ""
    if value not in AUDIENCES:
        print(
            f'{exercise_id}: write "am", "csm" or "both" as the audience, '
            f"not {who!r}; nothing was recorded."
        )
        return
    if os.environ.get(checking.GRADING_VARIABLE):
        return
    if _session is None:
        print("Run the first cell to start the interview; nothing was recorded.")
        return
    _session.record("audience", exercise=exercise_id, audience=value)
    print(f"{exercise_id}: audience {value} recorded.")


def check(exercise_id: str, answer, **options) -> Verdict:
    """Check an answer as kit.check does, record the verdict and show the time left."""
    grading = os.environ.get(checking.GRADING_VARIABLE)
    try:
        outcome = checking.check(exercise_id, answer, **options)
    except CheckFailed as error:
        if not grading and error.verdict is not None:
            _record_check(exercise_id, error.verdict)
        raise
    if not grading:
        _record_check(exercise_id, outcome)
    return outcome


def _record_check(exercise_id: str, outcome: Verdict) -> None:
    if _session is None:
        print("Run the first cell to start the interview; this check was not timed.")
        return
    now = _session.record(
        "check", exercise=str(exercise_id), verdict=outcome.outcome.value
    )
    print(_time_left(_session, now))


def finish() -> None:
    """Stop the clock and say how to grade the interview."""
    if os.environ.get(checking.GRADING_VARIABLE) or _session is None:
        return
    now = _session.record("finish")
    used = _minutes_seconds(now - _session.started)
    print(
        f"Finished after {used}. Save the notebook, then grade it with:\n"
        f"  python -m kit mock --grade {_session.folder}"
    )


def hint(exercise_id: str) -> None:
    """Say that hints are off during a mock interview."""
    print(f"{exercise_id}: hints are off during a mock interview.")


def solution(exercise_id: str) -> None:
    """Say that solutions are off during a mock interview."""
    print(
        f"{exercise_id}: solutions are off during a mock interview; after grading, "
        "solution() in a practice notebook shows them."
    )


def _time_left(session: Session, now: dt.datetime) -> str:
    left = session.deadline - now
    if left.total_seconds() >= 0:
        return f"Time left: {_minutes_seconds(left)} of {session.minutes} min."
    return (
        f"Time is up: {_minutes_seconds(-left)} past the {session.minutes}-minute "
        "limit, so answers checked now are graded as late."
    )


def _minutes_seconds(span: dt.timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 60} min {seconds % 60:02d} s"
