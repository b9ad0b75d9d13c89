"""Rows built piece by piece, as column arrays joined into larger chunks.

The per-merchant generators return a dict of small column arrays per
merchant or contract. Each small array costs a Python object and a heap
block of its own, so at 100,000 merchants holding them all until the end
takes a few hundred MB (scaled from 30,000), and the memory they leave
behind stays fragmented.
Joining every PARTS_PER_CHUNK parts as they come keeps a few large arrays
instead. Joining chunks of parts gives the same arrays as joining all the
parts at once.
"""

import numpy as np

# Parts joined into one chunk: a few thousand rows, so the joins cost
# little and few chunks remain.
PARTS_PER_CHUNK = 1_000


def join_columns(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Join column dicts with the same columns row-wise, in list order."""
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


class ColumnParts:
    """Rows collected as dicts of column arrays, all with the same columns."""

    def __init__(self) -> None:
        # Joined chunks, in the order their parts came.
        self._chunks: list[dict[str, np.ndarray]] = []
        # Parts not joined yet.
        self._parts: list[dict[str, np.ndarray]] = []

    def append(self, part: dict[str, np.ndarray]) -> None:
        self._parts.append(part)
        if len(self._parts) >= PARTS_PER_CHUNK:
            self._chunks.append(join_columns(self._parts))
            self._parts = []

    def columns(self) -> dict[str, np.ndarray] | None:
        """Return every row in the order appended, or None without any part.

        The parts are dropped, so call this once.
        """
        chunks = self._chunks + ([join_columns(self._parts)] if self._parts else [])
        self._chunks, self._parts = [], []
        return join_columns(chunks) if chunks else None
