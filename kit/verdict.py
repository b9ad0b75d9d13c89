"""The outcome of one check and how it reads."""

import enum
from dataclasses import dataclass, field


class Outcome(enum.Enum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not attempted"
    UNCHECKABLE = "could not be checked"


@dataclass
class Verdict:
    """One verdict: the outcome, its one-line summary and a few lines of details.

    ``mistakes`` lists the ids of the known mistakes the answer matched.
    """

    exercise_id: str
    outcome: Outcome
    summary: str
    details: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return self.outcome is Outcome.CORRECT

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        return f"<Verdict {self.exercise_id}: {self.outcome.value}>"

    def _ipython_display_(self) -> None:
        """Show nothing as a cell's result, because check() printed the verdict."""

    def text(self) -> str:
        lines = [self.summary]
        lines.extend(
            line if line.startswith("  ") else "  " + line for line in self.details
        )
        return "\n".join(lines)


def correct(exercise_id: str, details: list[str] | None = None) -> Verdict:
    return Verdict(
        exercise_id,
        Outcome.CORRECT,
        f"Correct: {exercise_id} matches the reference.",
        details or [],
    )


def incorrect(exercise_id: str, details: list[str], mistakes=()) -> Verdict:
    return Verdict(
        exercise_id,
        Outcome.INCORRECT,
        f"Incorrect: {exercise_id} does not match the reference yet.",
        details,
        list(mistakes),
    )


def not_attempted(exercise_id: str) -> Verdict:
    return Verdict(
        exercise_id,
        Outcome.NOT_ATTEMPTED,
        f"Not attempted: {exercise_id} has no answer yet. Replace the "
        "placeholder with your answer, then run the cell again.",
    )


def uncheckable(
    exercise_id: str, reason: str, details: list[str] | None = None, mistakes=()
) -> Verdict:
    return Verdict(
        exercise_id,
        Outcome.UNCHECKABLE,
        f"Could not check {exercise_id}: {reason}",
        details or [],
        list(mistakes),
    )
