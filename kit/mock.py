"""`python -m kit mock`: lay out a timed mock interview in a folder of its own.

The folder gets mock.ipynb with one exercise of each question type, a fresh
dataset in data/ and mock.json, which records the seeds, the time limit and
the questions. ``--seed`` picks the questions and the dataset's seed, so
the same seed lays out the same mock. The dataset's seed is never the
default 42, the seed of the practice dataset, or one that a mock beside
this one used, so the candidate meets data they have not seen.
"""

import datetime as dt
import json
import logging
import random
import secrets
from pathlib import Path

import duckdb
import nbformat

from kit import paths
from kit.errors import KitError
from kit.mock_notebook import build_notebook
from kit.mock_session import NOTEBOOK_FILE, STATE_FILE
from kit.registry import Exercise, Registry, load_registry

log = logging.getLogger(__name__)

QUESTION_TYPES = ("framing", "sql", "business_case", "stakeholder", "data_quality")
DEFAULT_MINUTES = 45
MAX_MINUTES = 600
DEFAULT_MERCHANTS = 1000
MIN_MERCHANTS = 300
MAX_MERCHANTS = 100_000
PRACTICE_SEED = 42
MAX_SEED = 2**31 - 1


def whole_number(option: str, text: str, low: int, high: int, example: int) -> int:
    """Return ``text`` as an int in [low, high], raising KitError otherwise."""
    try:
        value = int(str(text).strip())
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise KitError(
            f"{option} {text} is invalid: give a whole number from {low} to "
            f"{high}, such as {option} {example}"
        )
    return value


def pick_exercises(registry: Registry, seed: int) -> list[Exercise]:
    """Return one exercise per question type, chosen by ``seed``.

    No exercise picked uses another one picked, because the mock gives the
    solution of every exercise a question uses.
    """
    chooser = random.Random(seed)
    picked: list[Exercise] = []
    for question_type in QUESTION_TYPES:
        pool = [
            exercise
            for exercise in registry
            if exercise.question_type == question_type
            and not _related(registry, exercise, picked)
        ]
        if not pool:
            raise KitError(
                f"exercises.yaml has no exercise of question_type {question_type} "
                "that uses none of the others picked; a mock needs one of each type"
            )
        picked.append(chooser.choice(pool))
    return picked


def _related(registry: Registry, exercise: Exercise, picked: list[Exercise]) -> bool:
    """Return whether ``exercise`` uses one of ``picked``, or one of them uses it."""
    return any(
        other in registry.uses_of(exercise) or exercise in registry.uses_of(other)
        for other in picked
    )


def used_seeds(out: Path) -> set[int]:
    """Return the dataset seeds a new mock in ``out`` must avoid."""
    seeds = {PRACTICE_SEED}
    for state_file in out.parent.glob(f"*/{STATE_FILE}"):
        try:
            seeds.add(
                int(json.loads(state_file.read_text(encoding="utf-8"))["data_seed"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            log.info("skipping unreadable %s", state_file)
    practice = paths.default_db_path()
    if practice.is_file():
        try:
            with duckdb.connect(str(practice), read_only=True) as con:
                seeds.add(
                    int(con.sql("SELECT seed FROM dataset_info").fetchall()[0][0])
                )
        except duckdb.Error:
            log.info("cannot read the practice dataset's seed from %s", practice)
    return seeds


def data_seed(seed: int, avoid: set[int]) -> int:
    """Return the dataset seed derived from mock ``seed``, never one in ``avoid``."""
    candidate = random.Random(f"mock-data-{seed}").randrange(1, MAX_SEED)
    while candidate in avoid:
        candidate = candidate % MAX_SEED + 1
    return candidate


def default_out() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return paths.workspace_dir() / "mocks" / f"mock-{stamp}"


def build_mock(
    out: Path | None,
    minutes: int = DEFAULT_MINUTES,
    seed: int | None = None,
    merchants: int = DEFAULT_MERCHANTS,
) -> Path:
    """Write a new mock interview into ``out`` and return the notebook's path."""
    from datagen import generate

    out = Path(out) if out is not None else default_out()
    if (out / STATE_FILE).exists() or (out / NOTEBOOK_FILE).exists():
        raise KitError(
            f"--out {out} already contains a mock: grade it with "
            f"`python -m kit mock --grade {out}`, or name a new folder"
        )
    if out.exists() and not out.is_dir():
        raise KitError(f"--out {out} is a file: name a folder for the mock")
    dataset = out / "data" / paths.DEFAULT_DB_NAME
    if dataset.exists():
        # The practice dataset is there when --out names the project folder.
        raise KitError(
            f"--out {out} already contains a dataset, {dataset}, which the "
            "mock's would replace: name a new folder"
        )
    notebooks = sorted(out.glob("*.ipynb")) if out.is_dir() else []
    if notebooks:
        # Notebooks read the nearest data/ folder, so these would run on the
        # mock's dataset instead of their own.
        raise KitError(
            f"--out {out} contains notebooks such as {notebooks[0].name}, which "
            "would then read the mock's dataset: name a new folder"
        )
    seed = secrets.randbelow(MAX_SEED) if seed is None else seed
    registry = load_registry()
    exercises = pick_exercises(registry, seed)
    dataset_seed = data_seed(seed, used_seeds(out))
    notebook = build_notebook(exercises, registry, minutes, seed)
    out.mkdir(parents=True, exist_ok=True)
    print(f"Generating a fresh dataset (seed {dataset_seed}) ...", flush=True)
    generate(dataset, seed=dataset_seed, merchants=merchants)
    state = {
        "version": 1,
        "seed": seed,
        "data_seed": dataset_seed,
        "merchants": merchants,
        "minutes": minutes,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "questions": [
            {"exercise": e.id, "question_type": e.question_type} for e in exercises
        ],
    }
    nbformat.write(notebook, out / NOTEBOOK_FILE)
    (out / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    return out / NOTEBOOK_FILE


def read_state(folder: Path) -> dict:
    """Return a mock's mock.json, raising KitError when there is none."""
    state_file = Path(folder) / STATE_FILE
    if Path(folder).is_file():
        raise KitError(
            f"--grade {folder} is a file: name the folder that contains it, "
            f"such as --grade {Path(folder).parent}"
        )
    if not Path(folder).is_dir():
        raise KitError(
            f"--grade {folder} does not exist: name the folder that "
            "`python -m kit mock` wrote"
        )
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
        state["questions"] = [str(q["exercise"]) for q in state["questions"]]
        state["minutes"] = int(state["minutes"])
    except FileNotFoundError as error:
        raise KitError(
            f"--grade {folder} contains no mock ({STATE_FILE} is missing): name the "
            "folder that `python -m kit mock` wrote"
        ) from error
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KitError(
            f"{state_file} cannot be read as a mock ({error}); lay out a new mock "
            "with `python -m kit mock`"
        ) from error
    if not 1 <= state["minutes"] <= MAX_MINUTES:
        raise KitError(
            f"{state_file} gives {state['minutes']} minutes, but a mock lasts 1 to "
            f'{MAX_MINUTES} minutes: set "minutes" in it to the time allowed'
        )
    return state
