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


class OutputNotWritable(DatagenError, OSError):
    """The output path cannot receive the dataset file."""

    def __init__(self, path: object, message: str) -> None:
        super().__init__(f"cannot write --out {path!s}: {message}")
        self.path = path


class WriteFailed(OutputNotWritable):
    """The file system refused to write the output, for example when it is full.

    ``reason`` is the system's, such as "No space left on device".
    """

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            path,
            f"writing failed ({reason}). Free space in {path.absolute().parent} "
            "or choose another location.",
        )
        self.reason = reason
