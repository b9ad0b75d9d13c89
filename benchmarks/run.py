"""``python -m benchmarks``: measure every figure, then write RESULTS.md.

Steps run one after another in a scratch folder that is removed at the
end, and report their progress on stderr. RESULTS.md is written only when
every step has finished, to a temporary file renamed into place.
"""

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.baselines import measure_baselines
from benchmarks.checking import measure_check
from benchmarks.generation import dataset_folder, measure_generation
from benchmarks.grading import measure_grading
from benchmarks.machine import describe_machine
from benchmarks.process import PROJECT_ROOT, BenchmarkError, run_checked
from benchmarks.report import render
from benchmarks.results import Results
from benchmarks.selfcheck import measure_selfcheck
from datagen.config import check_merchants
from datagen.errors import DatagenError

log = logging.getLogger("benchmarks")

STEPS = ("generation", "baselines", "check", "selfcheck", "grading")
DEFAULT_OUT = PROJECT_ROOT / "benchmarks" / "RESULTS.md"
DEFAULT_DATASET_SIZE = 1000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Measure dataset generation, check() and the notebook runners on "
            "this machine and write the figures, with the targets they meet, "
            "to RESULTS.md."
        ),
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=3,
        metavar="N",
        help="runs per generation size and per baseline (default: 3)",
    )
    parser.add_argument(
        "--notebook-runs",
        type=int,
        default=3,
        metavar="N",
        help="runs of the self-check and of each grading --jobs value (default: 3)",
    )
    parser.add_argument(
        "--sizes",
        metavar="N,N,...",
        help="merchants per generated dataset (default: 1000,10000,100000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            "a smoke test: 300 merchants, one run of each step, small baselines, "
            "one notebook to self-check and two candidates to grade"
        ),
    )
    parser.add_argument(
        "--skip",
        action="append",
        choices=STEPS,
        default=[],
        metavar="STEP",
        help=f"leave out a step, one of {', '.join(STEPS)}; repeat for more",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="FILE",
        help="where to write the results (default: benchmarks/RESULTS.md)",
    )
    return parser


def schedule(args: argparse.Namespace) -> dict:
    """Return the sizes and run counts of every step for the options given."""
    for option, value in (
        ("--runs", args.runs),
        ("--notebook-runs", args.notebook_runs),
    ):
        if value < 1:
            raise BenchmarkError(f"{option} {value} is invalid: give 1 or more")
    if args.quick:
        plan = {
            "sizes": [300],
            "runs": 1,
            "notebook_runs": 1,
            "naive_rows": 10_000,
            "numpy_rows": 300_000,
            "cold_checks": 1,
            "warm_checks": 3,
            "selfcheck_notebooks": 1,
            "candidates": 2,
        }
    else:
        plan = {
            "sizes": [1000, 10_000, 100_000],
            "runs": args.runs,
            "notebook_runs": args.notebook_runs,
            "naive_rows": 100_000,
            "numpy_rows": 3_000_000,
            "cold_checks": 5,
            "warm_checks": 20,
            "selfcheck_notebooks": 5,
            "candidates": 8,
        }
    if args.sizes:
        plan["sizes"] = parse_sizes(args.sizes)
    # check() and the self-check use the default dataset (seed 42, 1,000
    # merchants); a quick run uses its smallest generated one.
    plan["dataset_size"] = min(plan["sizes"]) if args.quick else DEFAULT_DATASET_SIZE
    return plan


def parse_sizes(text: str) -> list[int]:
    """Return the merchant counts of ``--sizes``, sorted, each one datagen accepts."""
    try:
        sizes = sorted({int(size) for size in text.split(",")})
    except ValueError:
        raise BenchmarkError(
            f"--sizes {text} is invalid: give merchant counts such as 1000,10000"
        ) from None
    for size in sizes:
        try:
            check_merchants(size)
        except DatagenError as error:
            raise BenchmarkError(f"--sizes {text} is invalid: {error}") from None
    return sizes


def default_dataset(plan: dict, work: Path, generated: bool) -> tuple[Path, str]:
    """Return the seed-42 dataset for check() and the self-check, and its label."""
    size = plan["dataset_size"]
    path = dataset_folder(work, size) / "merchants.duckdb"
    if not (generated and path.is_file()):
        log.info("generating the %s-merchant dataset (untimed)", f"{size:,}")
        run_checked(
            [sys.executable, "-m", "benchmarks.generation", str(path), str(size)]
        )
    label = "the default dataset" if size == DEFAULT_DATASET_SIZE else "a dataset"
    return path, f"{label} (seed 42, {size:,} merchants)"


def measure(
    args: argparse.Namespace, arguments: list[str], plan: dict, work: Path
) -> Results:
    """Run every step not skipped and return the figures."""
    results = Results(
        describe_machine(),
        {"arguments": arguments, "quick": args.quick, "skipped": args.skip},
    )
    started = time.perf_counter()
    steps = [step for step in STEPS if step not in args.skip]
    generated = "generation" in steps
    if generated:
        results.generation = measure_generation(
            plan["sizes"], plan["runs"], work, keep=plan["dataset_size"]
        )
    if "baselines" in steps:
        results.naive, results.ceiling = measure_baselines(
            plan["naive_rows"], plan["numpy_rows"], plan["runs"], work
        )
    if "check" in steps or "selfcheck" in steps:
        dataset, label = default_dataset(plan, work, generated)
        if "check" in steps:
            results.check = measure_check(
                dataset, label, plan["cold_checks"], plan["warm_checks"], work
            )
        if "selfcheck" in steps:
            results.selfcheck = measure_selfcheck(
                dataset,
                label,
                plan["notebook_runs"],
                work,
                notebooks=plan["selfcheck_notebooks"],
            )
    if "grading" in steps:
        results.grading = measure_grading(
            plan["notebook_runs"], work, candidates=plan["candidates"]
        )
    results.total_seconds = time.perf_counter() - started
    results.load_at_end = os.getloadavg()[0]
    return results


def check_writable(path: Path) -> None:
    """Raise BenchmarkError unless a results file can be written at ``path``.

    Checked before measuring, so that a long run is not lost at the end.
    """
    if path.is_dir():
        raise BenchmarkError(f"--out {path} is a folder: give a file path")
    try:
        write_atomically(path.with_name(f".{path.name}.probe"), "")
    except OSError as error:
        raise BenchmarkError(
            f"--out {path} cannot be written ({error.strerror or error}): "
            "give a file path in a writable folder"
        ) from error
    path.with_name(f".{path.name}.probe").unlink()


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def measured_arguments(arguments: list[str]) -> list[str]:
    """Return the command-line arguments without ``--out``.

    The output file does not change what is measured, and its path belongs
    to the machine that wrote it.
    """
    measured = []
    skip_next = False
    for argument in arguments:
        if skip_next:
            skip_next = False
        elif argument == "--out":
            skip_next = True
        elif not argument.startswith("--out="):
            measured.append(argument)
    return measured


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    arguments = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(arguments)
    try:
        plan = schedule(args)
        check_writable(args.out)
        with tempfile.TemporaryDirectory(prefix="kit-bench-") as scratch:
            results = measure(args, measured_arguments(arguments), plan, Path(scratch))
    except BenchmarkError as error:
        log.error("benchmark failed: %s", error)
        return 1
    write_atomically(args.out, render(results))
    log.info("wrote %s in %.1f minutes", args.out, results.total_seconds / 60)
    return 0
