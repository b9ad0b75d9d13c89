"""Precision and recall per class, for a table answer that labels its rows.

An exercise whose answer gives each row a class, such as the cause of a
merchant's score drop, names that column in ``compare.labels``. Besides the
row-by-row comparison, the verdict then shows, for every class of the
reference, how many rows the answer gave that class (and how many of them
rightly), and how many of the rows of that class the answer found.

Rows are matched by the exercise's key columns. A reference row the answer
lacks, or whose label is empty, counts as not found; an answer row the
reference lacks counts against the precision of its label. Labels compare
as text, ignoring case and outer blanks.
"""

from dataclasses import dataclass

import pandas as pd

from kit import normalize


@dataclass(frozen=True)
class ClassScore:
    """The counts behind one class's precision and recall."""

    label: str
    # Rows the answer gave this label, and those of them the reference agrees on.
    predicted: int
    correct: int
    # Rows the reference gives this label.
    actual: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.correct / self.actual if self.actual else None


def _label(value) -> str | None:
    if normalize.is_missing(value):
        return None
    text = str(value).strip().lower()
    return text or None


def _labels_by_key(frame: pd.DataFrame, keys, column: str, kinds) -> dict:
    """Return {key tuple: label} of a frame whose columns are lowercase."""
    cells = {key: normalize.convert(frame[key], kinds[key]) for key in keys}
    labels = {}
    for position in range(len(frame)):
        key = tuple(normalize.key_value(cells[name], position) for name in keys)
        labels.setdefault(key, _label(frame[column].iloc[position]))
    return labels


def _lowercase(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = frame.reset_index(drop=True).copy()
    renamed.columns = [str(name).lower() for name in renamed.columns]
    return renamed.loc[:, ~renamed.columns.duplicated()]


def class_scores(
    expected: pd.DataFrame, got: pd.DataFrame, keys, column: str
) -> list[ClassScore] | None:
    """Return the score of every class of the reference, in label order.

    Returns None when the answer lacks the label column or a key column,
    because the row comparison reports those already.
    """
    expected, got = _lowercase(expected), _lowercase(got)
    keys = [str(key).lower() for key in keys]
    column = column.lower()
    if any(name not in got.columns for name in [*keys, column]):
        return None
    kinds = {key: normalize.kind_of(expected[key]) for key in keys}
    truth = _labels_by_key(expected, keys, column, kinds)
    answer = _labels_by_key(got, keys, column, kinds)
    scores = []
    for label in sorted({value for value in truth.values() if value is not None}):
        predicted = [key for key, value in answer.items() if value == label]
        correct = sum(truth.get(key) == label for key in predicted)
        actual = sum(value == label for value in truth.values())
        scores.append(ClassScore(label, len(predicted), correct, actual))
    return scores


def _share(part: int, whole: int, empty: str) -> str:
    if not whole:
        return empty
    return f"{part}/{whole} ({round(100 * part / whole)}%)"


def class_lines(
    expected: pd.DataFrame, got: pd.DataFrame, keys, column: str
) -> list[str]:
    """Return the verdict lines of precision and recall per class.

    Labels the answer uses that the reference never gives get a line of
    their own, because they can only be misspelled or unknown classes.
    """
    scores = class_scores(expected, got, keys, column)
    if scores is None:
        return []
    lines = [
        f"Per {column}, precision counts how many of the rows you labelled "
        "with it have it, and recall how many of the rows that have it you "
        "labelled with it:"
    ]
    for score in scores:
        precision = _share(score.correct, score.predicted, "none labelled")
        recall = _share(score.correct, score.actual, "none in the reference")
        lines.append(f"    {score.label}: precision {precision}, recall {recall}")
    known = {score.label for score in scores}
    got = _lowercase(got)
    unknown = sorted(
        {
            label
            for label in (_label(value) for value in got[column.lower()])
            if label is not None and label not in known
        }
    )
    if unknown:
        lines.append(
            f"Labels that are not classes here: {', '.join(unknown)}; use one of "
            f"{', '.join(sorted(known))}."
        )
    return lines
