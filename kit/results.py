"""Verdicts appended to $KIT_RESULTS, one JSON line each, for `python -m kit check`.

The self-check runs notebooks in kernels it does not control, so check()
reports each verdict through this file, and the command reads it back when
the kernels are done.
"""

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

RESULTS_VARIABLE = "KIT_RESULTS"


def append_result(exercise_id: str, verdict: str) -> None:
    """Append one verdict when $KIT_RESULTS is set; a failed write is logged."""
    target = os.environ.get(RESULTS_VARIABLE)
    if not target:
        return
    line = {
        "exercise": exercise_id,
        "verdict": verdict,
        "notebook": os.environ.get("JPY_SESSION_NAME"),
        "cwd": os.getcwd(),
    }
    try:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(line) + "\n")
    except OSError as error:
        log.warning("cannot append the verdict to %s: %s", target, error)


def read_results(path: Path) -> list[dict]:
    """Return the verdicts in ``path``, skipping lines that are not JSON objects."""
    results = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return results
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            log.warning("skipping an unreadable line of %s", path)
            continue
        if isinstance(item, dict) and "exercise" in item:
            results.append(item)
    return results
