"""A self-assessment rubric: checkboxes whose state is saved with the progress.

Prose such as a message to an AM cannot be checked by a machine, so the
candidate ticks what their text does. Each tick is saved at once under the
exercise's entry in the progress file, and the boxes start from what was
saved, so a restarted kernel shows the same ticks.
"""

from kit import progress
from kit.registry import load_registry


def rubric(exercise_id: str, items: list[str]):
    """Return the checkboxes for ``items``, saved under ``exercise_id``."""
    import ipywidgets as widgets

    load_registry().get(exercise_id)
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise ValueError(
            f"rubric items must be a non-empty list of text, not {items!r}: "
            "pass one sentence per item"
        )
    saved = progress.exercise_progress(exercise_id).get("rubric")
    saved = saved if isinstance(saved, dict) else {}
    boxes = {
        item: widgets.Checkbox(
            value=bool(saved.get(item, False)),
            description=item,
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        for item in items
    }

    def save(_change=None) -> None:
        progress.record_rubric(
            exercise_id, {item: box.value for item, box in boxes.items()}
        )

    for box in boxes.values():
        box.observe(save, names="value")
    return widgets.VBox(list(boxes.values()))
