"""Checking inside a release: answers against salted digests, not references.

A release folder holds release.json: the candidate's salt and, per exercise,
the fingerprint of the reference result on that candidate's dataset (see
kit.digest). Feedback is shorter than with the reference at hand: whether
the answer matches, which columns are missing or differ, and row counts.
Grading with the full reference gives the whole diagnosis.
"""

import json
from pathlib import Path

import pandas as pd

from kit import digest, paths, verdict
from kit.compare_values import free_text_problems
from kit.errors import KitError
from kit.normalize import mapping_key
from kit.registry import Exercise

MANIFEST_NAME = "release.json"

MISMATCH = {
    "ids": "The ids do not match.",
    "number": "The number does not match.",
    "choice": "That is not the expected choice.",
}

_cache: dict[Path, tuple[int, dict]] = {}


def manifest_path() -> Path:
    return paths.registry_path().parent / MANIFEST_NAME


def is_release() -> bool:
    return manifest_path().is_file()


def manifest() -> dict:
    path = manifest_path()
    try:
        mtime = path.stat().st_mtime_ns
        if path not in _cache or _cache[path][0] != mtime:
            _cache[path] = (mtime, json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise KitError(
            f"cannot read the release file {path} ({error}): ask your instructor "
            "for a fresh copy of your release folder"
        ) from error
    return _cache[path][1]


def _fingerprint(exercise: Exercise) -> dict:
    entry = manifest().get("exercises", {}).get(exercise.id)
    if entry is None:
        raise KitError(
            f"this release has no expected result for {exercise.id}: ask your "
            "instructor for a fresh copy of your release folder"
        )
    return entry


def judge_table(exercise: Exercise, frame: pd.DataFrame) -> verdict.Verdict:
    expected = _fingerprint(exercise)
    names = [str(name).lower() for name in frame.columns]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        return verdict.incorrect(
            exercise.id,
            [f"Columns named twice: {', '.join(twice)}. Give each its own name."],
        )
    got = digest.table_fingerprint(
        frame,
        exercise.compare.keys,
        exercise.compare.tolerance,
        manifest()["salt"],
        kinds=expected["kinds"],
    )
    names = {str(name).lower() for name in frame.columns}
    missing = [name for name in expected["columns"] if name not in names]
    extra = sorted(names - set(expected["columns"]))
    details = []
    if missing:
        details.append(f"Missing columns: {', '.join(missing)}.")
    if got["rows"] != expected["rows"]:
        details.append(f"{got['rows']} rows, expected {expected['rows']}.")
    differing = [
        name
        for name in expected["columns"]
        if name not in missing and got["digests"].get(name) != expected["digests"][name]
    ]
    if differing and got["rows"] == expected["rows"]:
        details.append(f"Values differ in: {', '.join(differing)}.")
    notes = [f"Extra columns, allowed: {', '.join(extra)}."] if extra else []
    if details:
        return verdict.incorrect(exercise.id, details + notes)
    return verdict.correct(exercise.id, notes)


def judge_value(exercise: Exercise, value) -> verdict.Verdict:
    expected = _fingerprint(exercise)
    salt = manifest()["salt"]
    tolerance = exercise.compare.tolerance
    got = digest.value_fingerprint(exercise.answer, value, tolerance, salt)
    if exercise.answer == "mapping":
        details = _mapping_details(exercise, expected["keys"], got["keys"], value)
    elif exercise.answer == "ids" and got["count"] != expected["count"]:
        details = [f"{got['count']} ids, expected {expected['count']}."]
    elif got["digest"] != expected["digest"]:
        details = [MISMATCH[exercise.answer]]
    else:
        details = []
    if details:
        return verdict.incorrect(exercise.id, details)
    return verdict.correct(exercise.id)


def _mapping_details(exercise, expected: dict, got: dict, value) -> list[str]:
    free = {str(mapping_key(key)) for key in exercise.compare.free_text}
    wrong = [
        key for key in expected if key not in free and got.get(key) != expected[key]
    ]
    details = [f"Wrong or missing values for: {', '.join(wrong)}."] if wrong else []
    answered = {mapping_key(key): (key, item) for key, item in dict(value).items()}
    return details + free_text_problems(answered, free, exercise.compare.jargon)


def release_fingerprint(exercise: Exercise, reference, salt: str) -> dict:
    """Return what a release stores for ``exercise``, given its reference result."""
    if (
        exercise.takes_table
        or isinstance(reference, pd.DataFrame)
        and (exercise.answer not in ("ids", "number"))
    ):
        return digest.table_fingerprint(
            reference, exercise.compare.keys, exercise.compare.tolerance, salt
        )
    if exercise.answer == "number" and isinstance(reference, pd.DataFrame):
        reference = reference.iloc[0, 0]
    return digest.value_fingerprint(
        exercise.answer, reference, exercise.compare.tolerance, salt
    )
