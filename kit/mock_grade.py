"""`python -m kit mock --grade DIR`: grade a mock interview.

The verdicts come from running mock.ipynb again in a fresh kernel, as
`python -m kit grade` runs a submission, and judging each answer in the
grader, SQL in the dialect its check() used. The times and the order come
from events.jsonl, which the candidate's kernel wrote while they worked
(kit.mock_session):

- **late**: a correct answer whose first correct check came after the time
  limit, or that was never checked correct during the interview. It is
  listed, but only answers correct in time count towards the total.
- **audience right**: the statement in force at the first attempt (the
  last one before it, else the first one after it) names the registry's
  audience. **Stated first**: a statement came before the first check
  that was not "not attempted".
- **minutes used**: each recorded event (an audience statement or a check)
  takes the time since the event before it, whichever question that was,
  and a question's minutes are the sum over its events.
"""

import datetime as dt
import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from kit import paths
from kit.checking import judge
from kit.errors import KitError
from kit.grade_run import UNREADABLE, run_notebook
from kit.mock import read_state
from kit.mock_session import NOTEBOOK_FILE, read_events
from kit.registry import load_registry
from kit.table import format_table

GRADE_FILE = "grade.txt"
GRADE_JSON = "grade.json"
CELL_TIMEOUT_SECONDS = 600
MEMORY_MB = 3000


@dataclass
class QuestionGrade:
    """One question's line of the grade."""

    exercise_id: str
    verdict: str
    late: bool
    audience_expected: str
    audience_stated: str | None
    audience_first: bool
    minutes: float
    detail: str = ""

    @property
    def audience_right(self) -> bool:
        return self.audience_stated == self.audience_expected

    @property
    def counts(self) -> bool:
        return self.verdict == "correct" and not self.late


def grade_mock(folder: Path) -> list[QuestionGrade]:
    """Grade the mock in ``folder``, write grade.txt and grade.json there, print it."""
    folder = Path(folder)
    state = read_state(folder)
    events = read_events(folder)
    dataset = folder / "data" / paths.DEFAULT_DB_NAME
    if not dataset.is_file():
        raise KitError(
            f"the mock's dataset {dataset} is missing: generate it again with "
            f"`python -m datagen --seed {state.get('data_seed')} --merchants "
            f"{state.get('merchants')} --out {dataset}`, then grade again"
        )
    print("Running the notebook again in a fresh kernel ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="kit-mock-grade-") as scratch:
        run = run_notebook(
            folder / NOTEBOOK_FILE,
            dataset,
            Path(scratch),
            timeout=CELL_TIMEOUT_SECONDS,
            memory_mb=MEMORY_MB,
        )
    started, deadline, ended = _clock(events, state["minutes"])
    minutes = _minutes_per_question(events, started)
    grades = [
        _grade_question(exercise_id, run, dataset, events, deadline, minutes)
        for exercise_id in state["questions"]
    ]

    text = grade_text(grades, state, started, ended)
    print(text)
    (folder / GRADE_FILE).write_text(text + "\n", encoding="utf-8")
    record = {
        "started": started.isoformat() if started else None,
        "ended": ended.isoformat() if ended else None,
        "minutes_allowed": state["minutes"],
        "questions": [
            {**asdict(g), "audience_right": g.audience_right, "counts": g.counts}
            for g in grades
        ],
    }
    (folder / GRADE_JSON).write_text(
        json.dumps(record, indent=2) + "\n", encoding="utf-8"
    )
    return grades


def _grade_question(
    exercise_id: str, run, dataset: Path, events, deadline, minutes
) -> QuestionGrade:
    verdict, detail = _verdict(exercise_id, run, dataset)
    checks = [
        event
        for event in events
        if event.get("event") == "check" and event.get("exercise") == exercise_id
    ]
    first_correct = next(
        (event["at"] for event in checks if event.get("verdict") == "correct"), None
    )
    late = verdict == "correct" and (
        first_correct is None or deadline is None or first_correct > deadline
    )
    stated, first = _audience(events, exercise_id, checks)
    return QuestionGrade(
        exercise_id,
        verdict,
        late,
        load_registry().get(exercise_id).audience,
        stated,
        first,
        minutes.get(exercise_id, 0.0),
        detail,
    )


def _verdict(exercise_id: str, run, dataset: Path) -> tuple[str, str]:
    answer = run.answers.get(exercise_id, None)
    if answer is UNREADABLE:
        return "not graded", "the answer could not be read back from the kernel"
    if exercise_id not in run.answers:
        return "missing", run.problem or "its exercise cell did not run"
    dialect = run.dialects.get(exercise_id)
    _, result = judge(exercise_id, answer, dialect=dialect, db_path=dataset)
    detail = " ".join(line.strip() for line in result.details[:2])
    return result.outcome.value, detail


def _clock(events: list[dict], minutes: int):
    """Return the start, the deadline and the end of the interview."""
    starts = [e["at"] for e in events if e.get("event") == "start"]
    if not starts:
        return None, None, None
    started = starts[0]
    finishes = [e["at"] for e in events if e.get("event") == "finish"]
    ended = finishes[-1] if finishes else events[-1]["at"]
    return started, started + dt.timedelta(minutes=minutes), ended


def _minutes_per_question(events: list[dict], started) -> dict[str, float]:
    totals: dict[str, float] = {}
    if started is None:
        return totals
    previous = started
    for event in events:
        if event["at"] < started:
            continue
        exercise_id = event.get("exercise")
        if exercise_id and event.get("event") in ("audience", "check"):
            spent = (event["at"] - previous).total_seconds() / 60
            totals[exercise_id] = totals.get(exercise_id, 0.0) + spent
        previous = event["at"]
    return totals


def _audience(events: list[dict], exercise_id: str, checks: list[dict]):
    """Return the audience stated for a question and whether it came first."""
    statements = [
        e
        for e in events
        if e.get("event") == "audience" and e.get("exercise") == exercise_id
    ]
    attempts = [e for e in checks if e.get("verdict") != "not attempted"]
    if not attempts:
        before = statements
    else:
        before = [e for e in statements if events.index(e) < events.index(attempts[0])]
    if before:
        return before[-1]["audience"], True
    if statements:
        return statements[0]["audience"], False
    return None, False


def _table_rows(grades: list[QuestionGrade]) -> list[list[str]]:
    rows = []
    for number, grade in enumerate(grades, start=1):
        verdict = grade.verdict + (" (late)" if grade.late else "")
        expected = grade.audience_expected
        if grade.audience_stated is None:
            audience = f"missing (expected {expected})"
        elif grade.audience_right:
            audience = f"{grade.audience_stated}, right"
        else:
            audience = f"{grade.audience_stated}, wrong (expected {expected})"
        first = "yes" if grade.audience_first else "no"
        minutes = f"{grade.minutes:.1f}"
        rows.append([str(number), grade.exercise_id, verdict, audience, first, minutes])
    return rows


def grade_text(grades: list[QuestionGrade], state: dict, started, ended) -> str:
    """Return the grade as the lines printed and written to grade.txt."""
    table = format_table(
        ["#", "EXERCISE", "VERDICT", "AUDIENCE", "STATED FIRST", "MINUTES"],
        _table_rows(grades),
    )
    total = len(grades)
    in_time = sum(g.counts for g in grades)
    late = sum(g.verdict == "correct" and g.late for g in grades)
    right = sum(g.audience_right for g in grades)
    first = sum(g.audience_first for g in grades)
    if started is None:
        clock = "The interview was never started, so no time was recorded."
    else:
        used = (ended - started).total_seconds() / 60
        clock = (
            f"Started {started:%Y-%m-%d %H:%M} UTC, ended {ended:%H:%M} UTC: "
            f"{used:.1f} of {state['minutes']} minutes used."
        )
    lines = [
        f"Mock interview, seed {state.get('seed')}",
        clock,
        "",
        table,
        "",
        f"Total: {in_time} of {total} correct within the time limit"
        + (f" ({late} more correct late, not counted)." if late else "."),
        f"Audience: {right} of {total} right, {first} of {total} stated before "
        "the first attempt.",
        "Late means first checked correct after the limit, or never checked "
        "during the interview.",
    ]
    details = [
        f"  {g.exercise_id}: {g.detail}"
        for g in grades
        if g.verdict != "correct" and g.detail
    ]
    if details:
        lines += ["", "What differs:", *details]
    return "\n".join(lines)
