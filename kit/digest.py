"""Salted digests of answers, so a release can check without plain answers.

A release ships, per exercise, the digest of the canonical form of the
reference result on the candidate's dataset, never the result itself. The
candidate's answer is brought to the same canonical form and digested with
the same salt. A table is digested column by column, rows in key order, so a
mismatch can name the columns that differ; a mapping key by key.

Canonical cells: numbers as whole multiples of the column's tolerance (or to
nine significant digits without one), datetimes in ISO form, text stripped,
missing cells as one marker. A number that lies on the edge between two
multiples of the tolerance may round the other way on the candidate's side,
so a release check can report a mismatch that full grading would pass.
"""

import hashlib
import math

import numpy as np
import pandas as pd

from kit import normalize
from kit.normalize import canonical_id, mapping_key

MISSING = "\x00"
INVALID = "\x01"
SEPARATOR = "\x1f"


def render(column: normalize.Column, tolerance: float | None) -> list[str]:
    """Return the canonical text of every cell of a converted column."""
    cells = []
    for position in range(len(column.values)):
        if column.invalid[position]:
            cells.append(INVALID)
        elif column.missing[position]:
            cells.append(MISSING)
        else:
            cells.append(_cell(column.kind, column.values[position], tolerance))
    return cells


def _cell(kind: str, value, tolerance: float | None) -> str:
    if kind == normalize.NUMBER:
        return render_number(float(value), tolerance)
    if kind in (normalize.DATETIME, normalize.TIMEDELTA):
        return str(pd.Timestamp(value) if kind == normalize.DATETIME else value)
    if isinstance(value, str):
        return value.strip()
    return str(normalize.freeze(value))


def render_number(value: float, tolerance: float | None) -> str:
    if not math.isfinite(value):
        return INVALID
    if tolerance:
        return f"{round(value / tolerance)}*{tolerance!r}"
    text = f"{value:.9g}"
    return "0" if text in ("-0", "0") else text


def digest(salt: str, *parts: str) -> str:
    hasher = hashlib.sha256(salt.encode("utf-8"))
    for part in parts:
        hasher.update(SEPARATOR.encode() + part.encode("utf-8"))
    return hasher.hexdigest()


def table_fingerprint(
    frame: pd.DataFrame, keys, tolerance, salt: str, kinds: dict | None = None
) -> dict:
    """Return columns, kinds, row count and a digest per column of ``frame``.

    ``kinds`` gives the column kinds of the reference; without it they are
    read from ``frame`` itself (the reference's side).
    """
    frame = frame.rename(columns=lambda name: str(name).lower())
    kinds = kinds or {name: normalize.kind_of(frame[name]) for name in frame.columns}
    rendered = {}
    for name, kind in kinds.items():
        if name in frame.columns:
            column = normalize.convert(frame[name].reset_index(drop=True), kind)
            rendered[name] = render(column, _column_tolerance(tolerance, name))
    present_keys = [key for key in keys if key in rendered]
    order = sorted(
        range(len(frame)),
        key=lambda row: tuple(rendered[key][row] for key in present_keys),
    )
    digests = {
        name: digest(salt, name, *(cells[row] for row in order))
        for name, cells in rendered.items()
    }
    return {
        "columns": list(kinds),
        "kinds": kinds,
        "rows": len(frame),
        "digests": digests,
    }


def _column_tolerance(tolerance, column: str) -> float | None:
    if isinstance(tolerance, dict):
        return tolerance.get(column)
    return None


def value_fingerprint(kind: str, value, tolerance, salt: str) -> dict:
    """Return the digests of an ids, mapping, number or choice answer."""
    if kind == "ids":
        ids = sorted(str(canonical_id(item)) for item in _as_list(value))
        return {"count": len(ids), "digest": digest(salt, *ids)}
    if kind == "mapping":
        return {
            "keys": {
                str(mapping_key(key)): digest(
                    salt, str(mapping_key(key)), _scalar(item, tolerance)
                )
                for key, item in dict(value).items()
            }
        }
    return {"digest": digest(salt, _scalar(value, tolerance))}


def _scalar(value, tolerance) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        number_tolerance = tolerance if isinstance(tolerance, float) else None
        return render_number(float(value), number_tolerance)
    if isinstance(value, pd.Timestamp) or hasattr(value, "isoformat"):
        try:
            return pd.Timestamp(value).date().isoformat()
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10 and text[4] == "-" and text[7] == "-":
                return pd.Timestamp(text).date().isoformat()
        except ValueError:
            pass
        return text.lower()
    return str(value)


def _as_list(value) -> list:
    if isinstance(value, pd.DataFrame):
        return list(value.iloc[:, 0])
    if isinstance(value, pd.Series | np.ndarray | list | tuple | set | frozenset):
        return list(value)
    return [value]
