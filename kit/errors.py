"""Errors the kit raises for problems a user can fix.

Every message says what failed, on which value, and what to do next, so the
command-line tools print it as one line and exit with status 2.
"""


class KitError(Exception):
    """Base class for problems the user can fix before trying again."""


class DatasetNotFound(KitError):
    """No dataset file where the kit looked for one."""


class DatasetLocked(KitError):
    """Another process holds the dataset open for writing."""


class RegistryError(KitError):
    """An entry of exercises.yaml is invalid."""


class UnknownExercise(KitError):
    """An exercise id that exercises.yaml does not list."""
