"""Errors the generator raises for problems the caller can fix.

Each message names the option, the value and the fix, so the command line
prints it as one line and exits with status 2. Catch ``DatagenError`` to
handle every one of them.
"""

from pathlib import Path


class DatagenError(Exception):
    """Base class for problems the caller can fix before running again."""


class InvalidOption(DatagenError, ValueError):
    """An option value outside what the generator accepts.

    ``option`` is the command-line flag (for example ``--merchants``) and
    ``value`` the rejected value as given.
    """

    def __init__(self, option: str, value: object, message: str) -> None:
        super().__init__(f"invalid {option} {value!s}: {message}")
        self.option = option
        self.value = value
        self.message = message

    def __reduce__(self):
        # Rebuilt from the constructor's arguments, so a worker process can
        # send the error back to its parent.
        return type(self), (self.option, self.value, self.message)


class OutputNotWritable(DatagenError, OSError):
    """The output path cannot receive the dataset file."""

    def __init__(self, path: object, message: str) -> None:
        super().__init__(f"cannot write --out {path!s}: {message}")
        self.path = path
        self.message = message

    def __reduce__(self):
        return type(self), (self.path, self.message)


class WriteFailed(OutputNotWritable):
    """The file system refused to write the output, for example when it is full.

    ``reason`` is the system's, such as "No space left on device".
    """

    def __init__(self, path: Path, reason: str) -> None:
        folder = path.absolute().parent
        super().__init__(path, f"writing failed ({reason}). {fix(reason, folder)}")
        self.reason = reason

    def __reduce__(self):
        return type(self), (self.path, self.reason)


# The system's reasons for refusing a write that permissions cause.
PERMISSION_REASONS = (
    "Permission denied",
    "Operation not permitted",
    "Read-only file system",
)


def fix(reason: str, folder: object) -> str:
    """Return the fix for a write to ``folder`` refused for ``reason``."""
    if reason == "File too large":
        return (
            "A file size limit of this process (ulimit -f) stopped it: raise "
            "the limit or choose another location."
        )
    if reason in PERMISSION_REASONS:
        return f"Check the permissions of {folder} or choose another location."
    return f"Free space in {folder} or choose another location."
