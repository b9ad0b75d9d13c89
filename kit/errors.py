"""Errors the kit raises for problems a user can fix.

Every message says what failed, on which value, and what to do next, so the
command-line tools print it as one line and exit with status 2.
"""


class KitError(Exception):
    """Base class for problems the user can fix before trying again."""


class DatasetNotFound(KitError):
    """No dataset file where the kit looked for one."""


class DatasetLocked(KitError):
    """Another process has the dataset open for writing."""


class RegistryError(KitError):
    """An entry of exercises.yaml is invalid."""


class UnknownExercise(KitError):
    """An exercise id that exercises.yaml does not list."""


class ReferenceFailed(KitError):
    """A reference solution failed to run or returned something unusable."""


class InputFileError(KitError):
    """A file named on the command line is missing or unreadable."""


class NotebookError(KitError):
    """A notebook is missing, is not a .ipynb file, or breaks the kit's conventions."""


class CheckFailed(KitError):
    """A check under KIT_STRICT=1 whose verdict is not correct.

    The message is the verdict line followed by its details, so a notebook
    runner such as nbval shows the same text the candidate would see.
    """

    def __init__(self, message: str, verdict=None):
        super().__init__(message)
        self.verdict = verdict
