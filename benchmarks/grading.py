"""``python -m kit grade`` of a class, with one and with two jobs.

A roster of eight candidates gets a release (``python -m kit release``),
and each candidate hands in one solved notebook. A first grade of
placeholder notebooks, which the grader rejects without starting a kernel,
rebuilds the eight datasets into the report folder. The timed runs reuse
that folder, so they find the datasets kept and measure grading alone:
rounds of ``--jobs 1`` then ``--jobs 2``.
"""

import logging
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.checking import clean_environment
from benchmarks.process import PROJECT_ROOT, BenchmarkError, run_checked

log = logging.getLogger(__name__)

CANDIDATES = 8
MERCHANTS = 300
SUBMITTED_NOTEBOOK = "02_sql_churn_risk.ipynb"
# A file name matching no template: the grader rejects it without a kernel.
PLACEHOLDER_NOTEBOOK = "placeholder.ipynb"
JOBS = (1, 2)
# Jobs of the release and of the first grade, which build the datasets.
BUILD_JOBS = 2
GRADED = re.compile(r"Graded (\d+) verdicts \((\d+) correct\)")


@dataclass
class GradingResult:
    """Wall times of the release and of grading the class."""

    candidates: int
    merchants: int
    notebook: str
    release_seconds: float = 0.0
    rebuild_seconds: float = 0.0
    # Wall times of whole grade runs, by --jobs.
    seconds: dict[int, list[float]] = field(default_factory=dict)
    verdicts: int = 0
    correct: int = 0


def write_class(work: Path, candidates: int) -> tuple[Path, Path, Path]:
    """Write the roster, the submissions and the placeholder submissions."""
    ids = [f"candidate-{number}" for number in range(1, candidates + 1)]
    roster = work / "roster.csv"
    roster.write_text(
        "candidate_id,name\n" + "".join(f"{i},Candidate {i}\n" for i in ids),
        encoding="utf-8",
    )
    solved = PROJECT_ROOT / "solutions" / "notebooks" / SUBMITTED_NOTEBOOK
    submissions = work / "submissions"
    placeholders = work / "placeholders"
    for candidate_id in ids:
        (submissions / candidate_id).mkdir(parents=True)
        shutil.copyfile(solved, submissions / candidate_id / SUBMITTED_NOTEBOOK)
        (placeholders / candidate_id).mkdir(parents=True)
        shutil.copyfile(solved, placeholders / candidate_id / PLACEHOLDER_NOTEBOOK)
    return roster, submissions, placeholders


def grade_command(
    submissions: Path, roster: Path, secret: Path, report: Path, merchants: int
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "kit",
        "grade",
        str(submissions),
        "--roster",
        str(roster),
        "--secret-file",
        str(secret),
        "--out",
        str(report),
        "--merchants",
        str(merchants),
    ]


def measure_grading(
    runs: int, work: Path, candidates: int = CANDIDATES, merchants: int = MERCHANTS
) -> GradingResult:
    """Release and grade a class of ``candidates``; time ``runs`` rounds."""
    folder = work / "grading"
    folder.mkdir()
    roster, submissions, placeholders = write_class(folder, candidates)
    release, report = folder / "release", folder / "report"
    result = GradingResult(candidates, merchants, SUBMITTED_NOTEBOOK)
    env = clean_environment()

    log.info("grading: release of %d candidates", candidates)
    run = run_checked(
        [
            sys.executable,
            "-m",
            "kit",
            "release",
            "--roster",
            str(roster),
            "--out",
            str(release),
            "--merchants",
            str(merchants),
            "--jobs",
            str(BUILD_JOBS),
        ],
        env=env,
    )
    result.release_seconds = run.seconds
    secret = release / "class-secret.txt"

    log.info("grading: rebuilding %d datasets", candidates)
    command = grade_command(placeholders, roster, secret, report, merchants)
    run = run_checked([*command, "--jobs", str(BUILD_JOBS)], env=env)
    result.rebuild_seconds = run.seconds

    command = grade_command(submissions, roster, secret, report, merchants)
    for round_number in range(1, runs + 1):
        for jobs in JOBS:
            log.info(
                "grading: %d notebooks with --jobs %d, run %d of %d",
                candidates,
                jobs,
                round_number,
                runs,
            )
            run = run_checked([*command, "--jobs", str(jobs)], env=env)
            result.seconds.setdefault(jobs, []).append(run.seconds)
            graded = GRADED.search(run.stdout)
            if graded is None:
                raise BenchmarkError(
                    f"the grade output has no verdict count:\n{run.stdout}"
                )
            result.verdicts, result.correct = map(int, graded.groups())
            log.info(
                "grading: %.1f s, %d of %d verdicts correct",
                run.seconds,
                result.correct,
                result.verdicts,
            )
    return result
