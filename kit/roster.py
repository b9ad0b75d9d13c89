"""The class roster: one row per candidate, read from a CSV file.

The file needs a header with ``candidate_id`` and at least one of ``name``
and ``email``. Blank lines are skipped; a row of empty cells is an error.
Ids become folder names, so they are letters, digits, dots, dashes and
underscores, and ids differing only in case count as one. Every problem is
reported with its row number (the header is row 1) before anything is
written.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from kit.errors import KitError

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NAME_COLUMNS = ("name", "email")


class RosterError(KitError):
    """The roster file cannot be used as it is."""


@dataclass(frozen=True)
class Candidate:
    candidate_id: str
    name: str
    email: str


def read_roster(path: Path) -> list[Candidate]:
    """Return the candidates of the roster at ``path``, raising RosterError."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise RosterError(
            f"cannot read the roster {path}: {error.strerror}; check the path"
        ) from error
    except UnicodeDecodeError as error:
        row = text_row_of(Path(path).read_bytes(), error.start)
        raise RosterError(
            f"the roster {path} is not UTF-8 text (row {row}, byte {error.start}): "
            "save it as CSV UTF-8 from your spreadsheet"
        ) from error
    reader = csv.DictReader(text.splitlines())
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "candidate_id" not in header or not set(NAME_COLUMNS) & set(header):
        raise RosterError(
            f"the roster {path} needs a header row (row 1) with candidate_id and "
            f"name or email; it has {', '.join(header) or 'no header'}"
        )
    reader.fieldnames = header
    candidates, seen = [], {}
    row_number = 1
    try:
        for row_number, row in enumerate(reader, start=2):
            candidate = _candidate(path, row_number, row)
            # Folders named Ann and ann collide on macOS and Windows.
            folded = candidate.candidate_id.casefold()
            if folded in seen:
                raise RosterError(
                    f"the roster {path} repeats candidate_id "
                    f"{candidate.candidate_id!r} in rows {seen[folded]} and "
                    f"{row_number} (ids differing only in case count as one): "
                    "give each candidate one row"
                )
            seen[folded] = row_number
            candidates.append(candidate)
    except csv.Error as error:
        raise RosterError(
            f"the roster {path} cannot be read as CSV after row {row_number} "
            f"({error}): check that row for a stray quote or a very long cell"
        ) from error
    if not candidates:
        raise RosterError(f"the roster {path} lists no candidates: add one per row")
    return candidates


def _candidate(path: Path, row_number: int, row: dict) -> Candidate:
    values = {key: (value or "").strip() for key, value in row.items() if key}
    if None in row:
        raise RosterError(
            f"the roster {path} has more cells than columns in row {row_number}: "
            "quote values that contain commas"
        )
    if not any(values.values()):
        raise RosterError(f"the roster {path} has an empty row {row_number}: remove it")
    candidate_id = values.get("candidate_id", "")
    if not ID_PATTERN.fullmatch(candidate_id):
        raise RosterError(
            f"the roster {path} has candidate_id {candidate_id!r} in row "
            f"{row_number}: use 1-64 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit"
        )
    name, email = values.get("name", ""), values.get("email", "")
    if not name and not email:
        raise RosterError(
            f"the roster {path} has no name or email for {candidate_id!r} in row "
            f"{row_number}: fill one of them"
        )
    return Candidate(candidate_id, name, email)


def text_row_of(data: bytes, offset: int) -> int:
    """Return the 1-based line number of byte ``offset`` in ``data``."""
    return data[:offset].count(b"\n") + 1
