"""Generation end to end: ``datagen.generate`` in a fresh process per run.

The child times the ``generate`` call alone (all tables, scenarios, answer
key, written and checkpointed), so interpreter start-up and imports are not
counted. The parent samples the memory of the child's whole process tree
(see benchmarks.process). Rows are the total of every table in the
returned Summary.
"""

import json
import logging
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.process import run_checked

log = logging.getLogger(__name__)

DATASET_NAME = "merchants.duckdb"


@dataclass
class GenerationResult:
    """The runs of one dataset size."""

    merchants: int
    rows: int = 0
    seconds: list[float] = field(default_factory=list)
    # Peak memory of the process tree per run, in bytes.
    peak_memory: list[int] = field(default_factory=list)
    # Longest wall time between two memory samples per run, in seconds.
    sample_gaps: list[float] = field(default_factory=list)


def dataset_folder(work: Path, merchants: int) -> Path:
    return work / f"generated-{merchants}"


def measure_generation(
    sizes: list[int], runs: int, work: Path, keep: int | None = None
) -> list[GenerationResult]:
    """Generate each size ``runs`` times, one fresh process per run.

    Sizes take turns (each round runs every size once), so a slow spell of
    the machine falls on all sizes alike. The dataset of size ``keep`` from
    the last round stays in ``dataset_folder(work, keep)``; the others are
    removed after each run.
    """
    results = {merchants: GenerationResult(merchants) for merchants in sizes}
    for round_number in range(1, runs + 1):
        for merchants in sizes:
            folder = dataset_folder(work, merchants)
            shutil.rmtree(folder, ignore_errors=True)
            log.info(
                "generation: %s merchants, run %d of %d",
                f"{merchants:,}",
                round_number,
                runs,
            )
            run = run_checked(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.generation",
                    str(folder / DATASET_NAME),
                    str(merchants),
                ]
            )
            child = json.loads(run.stdout.strip().splitlines()[-1])
            result = results[merchants]
            result.rows = child["rows"]
            result.seconds.append(child["seconds"])
            result.peak_memory.append(run.peak_memory)
            result.sample_gaps.append(run.longest_sample_gap)
            log.info(
                "generation: %s rows in %.1f s, peak %.0f MB",
                f"{child['rows']:,}",
                child["seconds"],
                run.peak_memory / 1e6,
            )
            if merchants != keep:
                shutil.rmtree(folder, ignore_errors=True)
    return list(results.values())


def generate_once(out: Path, merchants: int) -> dict:
    """Generate the default-seed dataset of ``merchants`` and time the call."""
    import datagen

    started = time.perf_counter()
    summary = datagen.generate(out, merchants=merchants)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": sum(summary.rows.values())}


if __name__ == "__main__":
    print(json.dumps(generate_once(Path(sys.argv[1]), int(sys.argv[2]))))
