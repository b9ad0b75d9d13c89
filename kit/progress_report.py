"""`python -m kit progress`: the candidate's progress per notebook.

Reads the progress record. A missing record shows an empty table; a corrupt
one is set aside by kit.progress and reported, so the table starts afresh.
"""

from kit import paths
from kit.progress import load_progress
from kit.registry import load_registry
from kit.table import format_table

HEADERS = ["NOTEBOOK", "EXERCISES", "CORRECT", "ATTEMPTED", "HINTS SEEN", "SOLUTIONS"]


def progress_table() -> str:
    """Return one line per notebook: exercises, how many correct and attempted."""
    path = paths.progress_path()
    before = (
        set(path.parent.glob(f"{path.stem}.corrupt-*"))
        if path.parent.is_dir()
        else set()
    )
    record = load_progress(path)["exercises"]
    after = (
        set(path.parent.glob(f"{path.stem}.corrupt-*"))
        if path.parent.is_dir()
        else set()
    )
    notebooks: dict[str, list] = {}
    for exercise in load_registry():
        notebooks.setdefault(exercise.notebook, []).append(exercise)
    rows = []
    for stem, exercises in sorted(notebooks.items()):
        entries = [record.get(exercise.id) for exercise in exercises]
        entries = [entry if isinstance(entry, dict) else {} for entry in entries]
        rows.append(
            [
                stem,
                str(len(exercises)),
                str(sum(entry.get("verdict") == "correct" for entry in entries)),
                str(sum("verdict" in entry for entry in entries)),
                str(sum(_count(entry.get("hints_seen")) for entry in entries)),
                str(sum(bool(entry.get("solution_seen")) for entry in entries)),
            ]
        )
    lines = [format_table(HEADERS, rows)]
    for corrupt in sorted(after - before):
        lines.append(
            f"The progress file could not be read and was set aside as {corrupt.name};"
            " the table starts from no progress."
        )
    if not path.exists() and not after - before:
        lines.append(f"No progress recorded yet in {path}.")
    return "\n".join(lines)


def _set_aside_copies(path) -> set:
    if not path.parent.is_dir():
        return set()
    return set(path.parent.glob(f"{path.stem}.corrupt-*"))


def _count(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
