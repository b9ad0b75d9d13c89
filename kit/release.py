"""`python -m kit release`: one folder per candidate, without the answers.

Each candidate's folder holds their own dataset, generated from a seed that
the class secret derives from their id, the notebook templates, the kit
itself without its catalogue of known mistakes, a registry without
solutions, explanations or known-mistake messages, and release.json with
salted digests of the reference results on that dataset, so check() works
offline. A folder is built beside its final place and renamed into it, so a
failed build leaves the previous one whole.
"""

import concurrent.futures
import json
import shutil
import tempfile
from collections import deque
from functools import partial
from itertools import islice
from pathlib import Path

import yaml

from kit import class_secret, db, paths
from kit.errors import KitError
from kit.reference import reference_answer
from kit.registry import load_registry
from kit.release_check import MANIFEST_NAME, release_fingerprint
from kit.roster import Candidate, read_roster

SECRET_NAME = "class-secret.txt"
# Fields of a registry entry that would give an answer away.
WITHHELD_FIELDS = ("explanation", "mistakes", "item_notes")
WITHHELD_NOTE = "Not part of this release: your instructor has the explanation."
# Files of kit/ left out of a release: the mistake catalogue's messages name
# the traps of the dataset, and a release compares results by digest alone,
# so nothing there would recognise a mistake.
WITHHELD_KIT_FILES = ("__pycache__", "catalogue.yaml")
PROJECT_FILES = ("pyproject.toml", "requirements.txt")

RELEASE_README = """# Interview practice: {name}

This folder is yours: your own dataset, the notebooks and the checker.

    python3.11 -m venv .venv
    .venv/bin/pip install -r requirements.txt
    .venv/bin/python -m kit lab

`check()` tells you whether an answer matches, and which columns or keys
differ. `hint()` gives hints; solutions are not part of this release.
Hand in the notebooks of `workspace/` when your instructor asks; the copies
with a date in their name are backups and are not graded.
"""


def build_release(
    roster: Path,
    out: Path,
    secret_file: Path | None = None,
    only: str | None = None,
    merchants: int | None = None,
    jobs: int = 1,
) -> list[Path]:
    """Build the release folders and return them; see the module docstring.

    ``jobs`` folders are built at a time, each in its own process.
    """
    if jobs < 1:
        raise KitError(f"--jobs {jobs} must be at least 1")
    candidates = read_roster(roster)
    if only is not None:
        candidates = [
            c for c in candidates if c.candidate_id.casefold() == only.casefold()
        ]
        if not candidates:
            raise KitError(
                f"candidate {only!r} is not on the roster {roster}: check the id "
                "in its candidate_id column"
            )
    out = Path(out)
    _check_options(out, merchants)
    if secret_file is None:
        secret_file = out / SECRET_NAME
        secret = class_secret.create_secret(secret_file)
        print(f"Created the class secret {secret_file}; keep it to grade the class.")
    else:
        secret = class_secret.read_secret(secret_file)
    out.mkdir(parents=True, exist_ok=True)
    from datagen.activity_batches import workers_per_job

    build = partial(
        _build_candidate,
        out=out,
        secret=secret,
        merchants=merchants,
        workers=workers_per_job(jobs),
    )
    built = []
    waiting = iter(candidates)
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        # Only ``jobs`` folders are handed to the pool at a time. So after an
        # error or Ctrl-C, no folder starts that was not already under way,
        # and each one under way is renamed into place whole or not at all.
        running = deque(pool.submit(build, c) for c in islice(waiting, jobs))
        while running:
            built.append(running.popleft().result())
            print(f"Built {built[-1]}")
            for candidate in islice(waiting, 1):
                running.append(pool.submit(build, candidate))
    return built


def _check_options(out: Path, merchants: int | None) -> None:
    """Raise KitError for a bad --out or --merchants before anything is written."""
    if out.exists() and not out.is_dir():
        raise KitError(f"--out {out} is a file: name a folder for the release")
    check_size(merchants)


def check_size(merchants: int | None) -> None:
    """Raise KitError unless ``merchants`` is None or a size datagen accepts."""
    if merchants is not None:
        from datagen.config import check_merchants
        from datagen.errors import DatagenError

        try:
            check_merchants(merchants)
        except DatagenError as error:
            raise KitError(str(error)) from error


def _build_candidate(
    candidate: Candidate,
    out: Path,
    secret: bytes,
    merchants: int | None,
    workers: int,
) -> Path:
    target = out / candidate.candidate_id
    with tempfile.TemporaryDirectory(
        prefix=f".{candidate.candidate_id}-", dir=out
    ) as scratch:
        folder = Path(scratch) / "release"
        _lay_files(folder, candidate)
        dataset = _generate(folder, out, candidate, secret, merchants, workers)
        salt = class_secret.answer_salt(secret, candidate.candidate_id)
        try:
            _write_manifest(folder, candidate, dataset, salt)
        finally:
            db.close_all()
        _replace(folder, target, Path(scratch))
    return target


def _lay_files(folder: Path, candidate: Candidate) -> None:
    root = paths.project_root()
    shutil.copytree(
        root / "kit",
        folder / "kit",
        ignore=shutil.ignore_patterns(*WITHHELD_KIT_FILES),
    )
    shutil.copytree(root / "notebooks", folder / "notebooks")
    for name in PROJECT_FILES:
        shutil.copy2(root / name, folder / name)
    (folder / "README.md").write_text(
        RELEASE_README.format(name=candidate.name or candidate.candidate_id),
        encoding="utf-8",
    )
    (folder / "exercises.yaml").write_text(_release_registry(), encoding="utf-8")


def _release_registry() -> str:
    """Return the registry with every field that gives an answer away withheld."""
    document = yaml.safe_load(paths.registry_path().read_text(encoding="utf-8"))
    for entry in document["exercises"]:
        for name in WITHHELD_FIELDS:
            entry.pop(name, None)
        entry["explanation"] = WITHHELD_NOTE
    header = "# The exercise registry of a release: no solutions or explanations.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def _generate(
    folder: Path,
    out: Path,
    candidate: Candidate,
    secret: bytes,
    merchants: int | None,
    workers: int,
) -> Path:
    dataset = folder / "data" / paths.DEFAULT_DB_NAME
    size = {} if merchants is None else {"merchants": merchants}
    seed = class_secret.candidate_seed(secret, candidate.candidate_id)
    generate_dataset(
        candidate.candidate_id, dataset, out, seed=seed, workers=workers, **size
    )
    # The answer key stays with the instructor: grading rebuilds it.
    paths.answers_path(dataset).unlink()
    return dataset


def generate_dataset(candidate_id: str, dataset: Path, out: Path, **options) -> None:
    """Generate a candidate's dataset with ``datagen.generate(dataset, **options)``.

    ``out`` is the folder the user named with --out. Raises KitError, which
    a worker process can send back, when the generator rejects an option or
    cannot write.
    """
    from datagen import generate
    from datagen.errors import DatagenError, WriteFailed, fix

    failed = f"building the dataset of {candidate_id} failed"
    try:
        generate(dataset, **options)
    except WriteFailed as error:
        raise KitError(
            f"{failed}: writing failed ({error.reason}). {fix(error.reason, out)}"
        ) from None
    except DatagenError as error:
        raise KitError(f"{failed}: {error}") from None


def _write_manifest(
    folder: Path, candidate: Candidate, dataset: Path, salt: str
) -> None:
    fingerprints = {}
    for exercise in load_registry():
        reference = reference_answer(exercise, dataset)
        fingerprints[exercise.id] = release_fingerprint(exercise, reference, salt)
    manifest = {
        "candidate_id": candidate.candidate_id,
        "salt": salt,
        "exercises": fingerprints,
    }
    (folder / MANIFEST_NAME).write_text(
        json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8"
    )


def _replace(folder: Path, target: Path, scratch: Path) -> None:
    """Move ``folder`` to ``target``, setting any previous build aside first."""
    old = scratch / "previous"
    if target.exists():
        target.rename(old)
    folder.rename(target)
