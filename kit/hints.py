"""hint() and solution(): layered help for an exercise.

Hints are shown one at a time, gentle first, and how many the candidate has
seen is kept in the progress file, so the next hint survives a kernel
restart.
"""

from kit import progress, release_check
from kit.errors import KitError
from kit.registry import load_registry


def hint(exercise_id: str) -> None:
    """Print the next hint of an exercise, or a note that all were shown."""
    try:
        exercise = load_registry().get(exercise_id)
    except KitError as error:
        print(f"No hint: {error}.")
        return
    hints = exercise.hints
    seen = progress.exercise_progress(exercise.id).get("hints_seen", 0)
    if seen >= len(hints):
        print(
            f"No more hints for {exercise.id}: you have seen all {len(hints)}. "
            f"The last one was:\n  {hints[-1]}"
            + _solution_pointer(exercise.id, "\nRun {call} to see the reference.")
        )
        return
    print(f"Hint {seen + 1} of {len(hints)} for {exercise.id}: {hints[seen]}")
    if seen + 1 == len(hints):
        print(
            "That was the last hint."
            + _solution_pointer(exercise.id, " {call} shows the answer.")
        )
    progress.record_hint(exercise.id, seen + 1)


def _solution_pointer(exercise_id: str, template: str) -> str:
    """Return the sentence that points to solution(), empty in a release."""
    if release_check.is_release():
        return ""
    return template.format(call=f'solution("{exercise_id}")')


def solution(exercise_id: str) -> None:
    """Print the reference solution of an exercise and why it is right."""
    if release_check.is_release():
        print(
            f"No solution for {exercise_id}: solutions are not part of this "
            "release. Use hint() for help; your instructor has the solutions."
        )
        return
    try:
        exercise = load_registry().get(exercise_id)
        code = exercise.solution_path.read_text(encoding="utf-8")
    except KitError as error:
        print(f"No solution: {error}.")
        return
    except OSError as error:
        print(f"No solution: cannot read {exercise.solution}: {error.strerror}.")
        return
    print(f"Solution for {exercise.id} ({exercise.solution}):\n")
    print(code.rstrip())
    print(f"\nWhy this is right:\n{exercise.explanation.strip()}")
    progress.record_solution_seen(exercise.id)
