"""The candidate's workspace: fresh copies of the templates, and resets."""

import datetime as dt
import logging
import os
import shutil
import tempfile
from pathlib import Path

from kit import paths
from kit.errors import NotebookError

log = logging.getLogger(__name__)


def template_for(name: str) -> Path:
    """Return the template a stem, file name or path names."""
    stem = Path(name).name
    if stem.endswith(".ipynb"):
        stem = stem[: -len(".ipynb")]
    template = paths.templates_dir() / f"{stem}.ipynb"
    if not template.is_file():
        known = ", ".join(sorted(p.stem for p in paths.templates_dir().glob("*.ipynb")))
        raise NotebookError(
            f"no notebook template {stem!r} in notebooks/: use one of {known or 'none'}"
        )
    return template


def copy_missing_templates() -> list[Path]:
    """Copy every template not yet in the workspace; never overwrite a file there."""
    workspace = paths.workspace_dir()
    workspace.mkdir(parents=True, exist_ok=True)
    copied = []
    for template in sorted(paths.templates_dir().glob("*.ipynb")):
        target = workspace / template.name
        if not target.exists():
            _copy_atomically(template, target)
            copied.append(target)
    return copied


def reset_notebook(name: str) -> tuple[Path, Path | None]:
    """Lay a fresh copy of a template in the workspace, keeping the old one.

    The old copy is saved as ``<name>.<YYYYmmdd-HHMMSS>.ipynb``, with a
    counter appended if that name is taken. Returns the notebook path and
    the backup path (None when there was no old copy).
    """
    template = template_for(name)
    workspace = paths.workspace_dir()
    workspace.mkdir(parents=True, exist_ok=True)
    target = workspace / template.name
    backup = None
    if target.exists():
        backup = _backup_path(target)
        shutil.copy2(target, backup)
    _copy_atomically(template, target)
    return target, backup


def _backup_path(target: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = target.with_name(f"{target.stem}.{stamp}.ipynb")
    counter = 1
    while backup.exists():
        backup = target.with_name(f"{target.stem}.{stamp}-{counter}.ipynb")
        counter += 1
    return backup


def _copy_atomically(source: Path, target: Path) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
