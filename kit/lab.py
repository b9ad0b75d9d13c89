"""`python -m kit lab`: prepare the dataset and workspace, then start JupyterLab."""

import logging
import os
import sys
from pathlib import Path

from kit import paths
from kit.workspace import copy_missing_templates

log = logging.getLogger(__name__)


def ensure_dataset() -> Path:
    """Generate the default dataset with datagen's defaults when it is missing."""
    target = paths.default_db_path()
    if target.is_file():
        return target
    import datagen

    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"Generating the default dataset in {target} ...", flush=True)
    datagen.generate(target)
    return target


def lab_command(jupyter_args: list[str]) -> list[str]:
    workspace = paths.workspace_dir()
    if os.geteuid() == 0 and "--allow-root" not in jupyter_args:
        # JupyterLab refuses to start as root, which is the usual user in a
        # container; the kit serves only its own workspace, so allow it.
        print("Running as root: passing --allow-root to JupyterLab.")
        jupyter_args = [*jupyter_args, "--allow-root"]
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--notebook-dir={workspace}",
        *jupyter_args,
    ]


def start_lab(jupyter_args: list[str]) -> None:
    """Generate missing data, copy missing templates, then exec JupyterLab.

    Never returns: the process becomes JupyterLab.
    """
    ensure_dataset()
    for copied in copy_missing_templates():
        print(f"Copied {copied.name} into {copied.parent}")
    command = lab_command(jupyter_args)
    log.info("starting %s", " ".join(command))
    sys.stdout.flush()
    os.execv(command[0], command)
