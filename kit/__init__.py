"""Checking tools for the interview notebooks.

Importing this package opens nothing and runs no query: ``connect()`` opens
the dataset on demand, and ``check()`` loads the registry and computes the
reference the first time it needs them. Imported in an IPython kernel, it
registers the ``%%sql`` cell magic (kit.sql_magic); ``%load_ext kit`` does
the same.
"""

import sys

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


def load_ipython_extension(ipython) -> None:
    """Register the ``%%sql`` cell magic; ``%load_ext kit`` calls this."""
    from kit.sql_magic import register

    register(ipython)


def _register_in_running_kernel() -> None:
    # IPython is imported only when already loaded, so plain scripts do not
    # pay for it.
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return
    ipython = ipython_module.get_ipython()
    if ipython is not None:
        load_ipython_extension(ipython)


_register_in_running_kernel()
