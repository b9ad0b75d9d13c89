"""Checking tools for the interview notebooks.

Importing this package opens nothing and runs no query: ``connect()`` opens
the dataset on demand, and ``check()`` loads the registry and computes the
reference the first time it needs them.
"""

from kit.checking import check
from kit.db import connect
from kit.dialects import use_dialect
from kit.errors import CheckFailed, KitError
from kit.hints import hint, solution
from kit.rows import rows
from kit.verdict import Outcome, Verdict

__all__ = [
    "CheckFailed",
    "KitError",
    "Outcome",
    "Verdict",
    "check",
    "connect",
    "hint",
    "rows",
    "solution",
    "use_dialect",
]
