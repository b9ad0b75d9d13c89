"""check() latency on one dataset, with the reference solution as the answer.

Runs in a fresh process with the kit pointed at the dataset and at a
scratch progress file. One untimed call first loads the registry, imports
sqlglot and opens the connections. A cold call clears the reference cache
(kit.reference.clear_cache), so the reference is computed again; a warm
call finds it cached. Both run the answer's SQL and compare the results.
The answer's SQL alone, run and fetched on a connection of the kit, is timed
too: no check of this answer can take less.
"""

import contextlib
import io
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.process import run_checked

log = logging.getLogger(__name__)

EXERCISE_ID = "q2.at_risk_top100"
# Variables that change what check() does: strict mode raises, results and
# grading mode record elsewhere.
CLEARED_VARIABLES = ("KIT_STRICT", "KIT_RESULTS", "KIT_GRADING")


@dataclass
class CheckResult:
    """Latencies of check() in milliseconds."""

    dataset: str
    exercise_id: str = EXERCISE_ID
    cold_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    # The answer's SQL alone, run and fetched as a DataFrame.
    query_ms: list[float] = field(default_factory=list)


def clean_environment() -> dict[str, str]:
    """Return this process's environment without the kit's mode variables."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in CLEARED_VARIABLES
    }


def kit_environment(dataset: Path, scratch: Path) -> dict[str, str]:
    """Return an environment that points the kit at ``dataset`` and ``scratch``."""
    env = clean_environment()
    env.update(
        KIT_DB=str(dataset),
        KIT_PROGRESS=str(scratch / "progress.json"),
        KIT_WORKSPACE=str(scratch / "workspace"),
    )
    return env


def measure_check(
    dataset: Path, description: str, cold_runs: int, warm_runs: int, work: Path
) -> CheckResult:
    """Time ``cold_runs`` cold and ``warm_runs`` warm check() calls."""
    log.info(
        "check(): %s on %s, %d cold and %d warm calls",
        EXERCISE_ID,
        description,
        cold_runs,
        warm_runs,
    )
    scratch = work / "check"
    scratch.mkdir(exist_ok=True)
    run = run_checked(
        [
            sys.executable,
            "-m",
            "benchmarks.checking",
            str(cold_runs),
            str(warm_runs),
        ],
        env=kit_environment(dataset, scratch),
    )
    child = json.loads(run.stdout.strip().splitlines()[-1])
    result = CheckResult(
        description,
        cold_ms=child["cold"],
        warm_ms=child["warm"],
        query_ms=child["query"],
    )
    log.info(
        "check(): slowest cold %.0f ms, slowest warm %.0f ms",
        max(result.cold_ms),
        max(result.warm_ms),
    )
    return result


def time_checks(cold_runs: int, warm_runs: int) -> dict[str, list[float]]:
    """Return cold and warm check() latencies in ms, in this process."""
    from kit import check, reference
    from kit.registry import load_registry

    exercise = load_registry().get(EXERCISE_ID)
    answer = exercise.solution_path.read_text(encoding="utf-8")

    def timed_check() -> float:
        with contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            verdict = check(EXERCISE_ID, answer)
            elapsed = time.perf_counter() - started
        if not verdict.correct:
            message = verdict.text()
            raise RuntimeError(f"check() rejected the reference solution:\n{message}")
        return elapsed * 1000

    timed_check()
    cold = []
    for _ in range(cold_runs):
        reference.clear_cache()
        cold.append(timed_check())
    warm = [timed_check() for _ in range(warm_runs)]
    return {"cold": cold, "warm": warm, "query": time_query(answer, warm_runs)}


def time_query(sql: str, runs: int) -> list[float]:
    """Return the ms DuckDB takes to run ``sql`` and fetch it, after one untimed run."""
    from kit import db

    connection = db.connect()
    try:
        connection.sql(sql).df()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            connection.sql(sql).df()
            times.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return times


if __name__ == "__main__":
    print(json.dumps(time_checks(int(sys.argv[1]), int(sys.argv[2]))))
