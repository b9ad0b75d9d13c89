"""The self-check of the solved notebooks: ``python -m kit check`` under nbval.

Copies of solutions/notebooks/01_* to 05_* run in a scratch folder, so
nothing in the project changes, on the dataset given, with a scratch
progress file, as candidates run ``make check``.
"""

import logging
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.checking import kit_environment
from benchmarks.process import PROJECT_ROOT, run_checked

log = logging.getLogger(__name__)

NOTEBOOK_PREFIXES = ("01_", "02_", "03_", "04_", "05_")


@dataclass
class SelfCheckResult:
    """Wall times of whole ``python -m kit check`` runs."""

    dataset: str
    notebooks: list[str]
    seconds: list[float] = field(default_factory=list)


def solved_notebooks() -> list[Path]:
    folder = PROJECT_ROOT / "solutions" / "notebooks"
    return sorted(
        path
        for path in folder.glob("*.ipynb")
        if path.name.startswith(NOTEBOOK_PREFIXES)
    )


def measure_selfcheck(
    dataset: Path,
    description: str,
    runs: int,
    work: Path,
    notebooks: int = len(NOTEBOOK_PREFIXES),
) -> SelfCheckResult:
    """Run the self-check of the first ``notebooks`` solved notebooks ``runs`` times."""
    folder = work / "selfcheck"
    scratch = work / "selfcheck-kit"
    notebooks = solved_notebooks()[:notebooks]
    result = SelfCheckResult(description, [path.name for path in notebooks])
    for run_number in range(1, runs + 1):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        scratch.mkdir(exist_ok=True)
        copies = []
        for notebook in notebooks:
            copies.append(folder / notebook.name)
            shutil.copyfile(notebook, copies[-1])
        log.info(
            "self-check: %d solved notebooks, run %d of %d",
            len(copies),
            run_number,
            runs,
        )
        run = run_checked(
            [sys.executable, "-m", "kit", "check", *map(str, copies)],
            env=kit_environment(dataset, scratch),
        )
        result.seconds.append(run.seconds)
        log.info("self-check: %.1f s", run.seconds)
    return result
