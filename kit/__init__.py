"""Checking tools for the interview notebooks.

Importing this package opens nothing: ``connect()`` opens the dataset on demand.
"""

from kit.db import connect

__all__ = ["connect"]
