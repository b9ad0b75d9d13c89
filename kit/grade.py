"""`python -m kit grade`: re-run every submission and judge it in the grader.

Submissions are laid out as SUBMISSIONS_DIR/<candidate_id>/*.ipynb. Each
candidate's dataset is rebuilt from the roster and the class secret, each
notebook runs in a fresh kernel on a copy of it (kit.grade_run), several at
once, and every answer is judged here against the full reference, so
printed outputs and anything the submission does to check() count for
nothing. One bad submission never stops the others.
"""

import concurrent.futures
import logging
import tempfile
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import duckdb

from kit import class_secret, paths
from kit.checking import judge
from kit.errors import KitError
from kit.grade_report import write_report
from kit.grade_run import UNREADABLE, run_notebook
from kit.notebooks import notebook_stem
from kit.registry import load_registry
from kit.release import check_size, generate_dataset
from kit.roster import read_roster

log = logging.getLogger(__name__)

DATASETS_DIR = ".datasets"
# A kernel with the kit's imports needs about this much address space; below
# it answers cannot even be written back.
MIN_MEMORY_MB = 1024


@dataclass
class Row:
    """One line of the report: a candidate's verdict on one exercise."""

    candidate_id: str
    notebook: str
    exercise_id: str
    verdict: str
    detail: str
    mistakes: str = ""


def grade(
    submissions: Path,
    roster: Path,
    secret_file: Path,
    out: Path,
    *,
    jobs: int = 1,
    timeout: int = 120,
    memory_mb: int = 3000,
    merchants: int | None = None,
) -> list[Row]:
    """Grade every submission, write the report to ``out`` and return its rows."""
    limits = (
        ("--jobs", jobs, 1),
        ("--timeout", timeout, 1),
        ("--memory-mb", memory_mb, MIN_MEMORY_MB),
    )
    for option, value, least in limits:
        if value < least:
            raise KitError(f"{option} {value} must be at least {least}")
    check_size(merchants)
    candidates = {c.candidate_id: c for c in read_roster(roster)}
    secret = class_secret.read_secret(secret_file)
    submissions, out = Path(submissions), Path(out)
    if not submissions.is_dir():
        raise KitError(
            f"the submissions folder {submissions} does not exist: lay submissions "
            "out as SUBMISSIONS_DIR/<candidate_id>/*.ipynb"
        )
    if out.exists() and not out.is_dir():
        raise KitError(f"--out {out} is a file: name a folder for the report")
    out.mkdir(parents=True, exist_ok=True)
    rows, tasks = [], []
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir()):
        if folder.name not in candidates:
            rows.append(Row(folder.name, "", "", "not on roster", "not graded"))
            continue
        handed_in = []
        for notebook in sorted(folder.glob("*.ipynb")):
            if notebook_stem(notebook) != notebook.stem:
                rows.append(
                    Row(folder.name, notebook.stem, "", "skipped", "a backup copy")
                )
            else:
                handed_in.append(notebook)
        if not handed_in:
            rows.append(
                Row(folder.name, "", "", "not submitted", "no notebook in the folder")
            )
        for notebook in handed_in:
            tasks.append((folder.name, notebook))
    for candidate_id in sorted(candidates):
        if not (submissions / candidate_id).is_dir():
            rows.append(
                Row(candidate_id, "", "", "not submitted", "no submissions folder")
            )
    with tempfile.TemporaryDirectory(prefix="kit-grade-") as scratch:
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
            datasets = _datasets(pool, jobs, out, tasks, secret, merchants)
            futures = [
                pool.submit(
                    grade_notebook,
                    candidate_id,
                    notebook,
                    datasets[candidate_id],
                    Path(scratch) / f"{number}",
                    timeout,
                    memory_mb,
                )
                for number, (candidate_id, notebook) in enumerate(tasks)
            ]
            for future, (candidate_id, notebook) in zip(futures, tasks, strict=True):
                try:
                    rows.extend(future.result())
                except Exception as error:  # a grader bug must not stop the class
                    log.exception("grading %s failed", notebook)
                    rows.append(
                        Row(candidate_id, notebook.stem, "", "error", str(error))
                    )
    write_report(rows, out)
    return rows


def _datasets(pool, jobs: int, out: Path, tasks, secret: bytes, merchants):
    """Return each candidate's dataset by id, built ``jobs`` at a time in ``pool``.

    A small dataset is built in one process, so building several at once
    keeps every core busy, with the cores split between them.
    """
    from datagen.activity_batches import workers_per_job

    candidate_ids = sorted({candidate_id for candidate_id, _ in tasks})
    workers = workers_per_job(jobs)
    built = pool.map(
        _dataset,
        repeat(out),
        candidate_ids,
        repeat(secret),
        repeat(merchants),
        repeat(workers),
    )
    return dict(zip(candidate_ids, built, strict=True))


def _dataset(
    out: Path, candidate_id: str, secret: bytes, merchants, workers: int
) -> Path:
    """Return the candidate's dataset, rebuilt unless a matching one is kept.

    ``merchants`` None means the generator's default size.
    """
    from datagen.config import DEFAULT_MERCHANTS

    seed = class_secret.candidate_seed(secret, candidate_id)
    size = DEFAULT_MERCHANTS if merchants is None else merchants
    target = out / DATASETS_DIR / candidate_id / paths.DEFAULT_DB_NAME
    if target.is_file():
        with duckdb.connect(str(target), read_only=True) as con:
            stored = con.execute("SELECT seed, merchants FROM dataset_info").fetchone()
        if stored == (seed, size):
            return target
    generate_dataset(
        candidate_id, target, out, seed=seed, merchants=size, workers=workers
    )
    return target


def grade_notebook(
    candidate_id: str,
    notebook: Path,
    dataset: Path,
    scratch: Path,
    timeout: int,
    memory_mb: int,
) -> list[Row]:
    """Run one notebook and judge each of its notebook's exercises."""
    stem = notebook_stem(notebook)
    exercises = load_registry().for_notebook(stem)
    if not exercises:
        known = ", ".join(sorted({e.notebook for e in load_registry()}))
        detail = f"not a notebook of the kit: name it after its template ({known})"
        return [Row(candidate_id, stem, "", "rejected", detail)]
    run = run_notebook(notebook, dataset, scratch, timeout=timeout, memory_mb=memory_mb)
    rows = []
    for exercise in exercises:
        answer = run.answers.get(exercise.id)
        mistakes = ""
        if answer is UNREADABLE:
            verdict = "not graded"
            detail = (
                "the answer could not be read back from the kernel; it may be "
                "short of memory, so raise --memory-mb"
            )
        elif exercise.id in run.answers:
            dialect = run.dialects.get(exercise.id)
            _, result = judge(exercise.id, answer, dialect=dialect, db_path=dataset)
            verdict, detail = result.outcome.value, _diagnosis(result.details)
            mistakes = ",".join(result.mistakes)
        elif run.problem:
            verdict, detail = "not graded", run.problem
        else:
            verdict, detail = "missing", "no exercise cell for it ran"
        if run.timed_out and exercise.id not in run.answers:
            detail = f"{detail}; a cell was stopped after {timeout} s"
        rows.append(Row(candidate_id, stem, exercise.id, verdict, detail, mistakes))
    return rows


def _diagnosis(details: list[str]) -> str:
    """Return a verdict's first lines and its named mistakes, wherever they are."""
    named = [line.strip() for line in details if "Likely mistake" in line]
    first = [line.strip() for line in details[:2] if "Likely mistake" not in line]
    return " ".join(first + named)
