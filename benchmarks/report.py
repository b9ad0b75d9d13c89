"""RESULTS.md: the figures of one benchmark run as Markdown tables."""

from statistics import median

from benchmarks.grading import BUILD_JOBS
from benchmarks.process import MAX_SAMPLING_SHARE, POLL_SECONDS
from benchmarks.results import Results, evaluate_targets, rate, speedup

MARKS = {True: "met", False: "**not met**", None: "not measured"}
# A load average above this before the first step means other work was running.
# The load at the end includes the benchmark's own last step.
BUSY_LOAD = 1.0

METHOD = """\
## Method

- Times are wall-clock seconds from `time.perf_counter`. Each figure is the
  median of the runs in its row. Generation sizes and baselines run
  `--runs` times (3 by default). The self-check and each grading `--jobs`
  value run `--notebook-runs` times (3 by default).
- Generation: every run is a fresh process, `python -m benchmarks.generation`,
  that calls `datagen.generate` (seed 42) once and times that call alone:
  every table, scenario and the answer key, written, checkpointed and
  renamed into place. Rows are the total over all tables of the returned
  Summary. Sizes take turns, round by round.
- Peak memory: the runner sums the proportional set size (PSS) of the
  generating process and all its descendants with psutil and keeps the
  largest sum. It samples every {poll_ms:.0f} ms, or less often where a sample
  costs more than {share:.0%} of one core: reading the page tables of a large
  tree takes tens of milliseconds. The table gives the longest gap between
  two samples. PSS divides a page shared by several processes,
  such as a page forked workers share with their parent, among them. So the
  sum is the memory the tree occupies, while a sum of resident set sizes
  would count each shared page once per process. `getrusage(RUSAGE_CHILDREN)`
  would not do, because its ru_maxrss is the largest single process, not the
  sum of workers running at once. A peak shorter than the sampling interval can
  be missed. 1 GB is 10^9 bytes.
- Naive baseline: a Python loop builds one dict per `merchant_sessions`
  row with Faker calls (`date_time_between`, `random_int`,
  `random_element`), then the rows go into a DataFrame and one DuckDB append
  into the dataset's schema, checkpointed. Numpy ceiling: the same columns
  as vectorised numpy arrays, written by the same append. Both run in the
  runner's process and are timed from the first row to the checkpoint.
- `check()`: a fresh process with `KIT_DB` on the dataset, the reference
  solution's SQL as the answer, and one untimed call first (registry,
  imports, connections). Cold calls clear the reference cache
  (`kit.reference.clear_cache`) before each call; warm calls find it cached.
  The answer's query alone runs as many times as the warm calls, after one
  untimed run, on a read-only connection from `kit.connect()`.
- Self-check: `python -m kit check` (nbval, one fresh kernel per notebook)
  on copies of the solved notebooks.
- Grading: a release (`python -m kit release`) of the roster, then one
  solved notebook per candidate. A first grade of placeholder notebooks,
  which the grader rejects without starting a kernel, rebuilds the
  candidates' datasets in the report folder. Both build the datasets
  `--jobs 2` at a time. The runs after it find them
  kept, so they measure grading alone, in rounds of `--jobs 1` then
  `--jobs 2`.
"""


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _runs(values: list) -> str:
    return "1 run" if len(values) == 1 else f"{len(values)} runs"


def _rate(rows: int, seconds: list[float]) -> str:
    return f"{rate(rows, seconds):,.0f}"


def render(results: Results) -> str:
    """Return RESULTS.md for ``results``."""
    lines = _header(results)
    lines += ["## Targets", ""]
    lines += _table(
        ["target", "measured", "result"],
        [
            [outcome.target, outcome.figure, MARKS[outcome.met]]
            for outcome in evaluate_targets(results)
        ],
    )
    lines += _generation(results)
    lines += _baselines(results)
    lines += _check(results)
    lines += _notebooks(results)
    lines += _machine(results)
    lines.append(METHOD.format(poll_ms=POLL_SECONDS * 1000, share=MAX_SAMPLING_SHARE))
    return "\n".join(lines)


def _header(results: Results) -> list[str]:
    machine = results.machine
    options = results.options
    command = " ".join(["python -m benchmarks", *options["arguments"]])
    lines = [
        "# Benchmark results",
        "",
        f"Measured with `{command}` on {machine.started:%Y-%m-%d %H:%M} UTC at "
        f"commit {machine.commit}; the whole run took "
        f"{results.total_seconds / 60:.1f} minutes.",
        "",
    ]
    if options["quick"]:
        lines += [
            "**A quick run (`--quick`)**: small sizes and one run of each step, to "
            "show that every step works. Its figures are not benchmark results.",
            "",
        ]
    if machine.load_at_start > BUSY_LOAD:
        lines += [
            f"**The machine was busy**: its one-minute load average was "
            f"{machine.load_at_start:.1f} on {machine.logical_cores} logical cores "
            "before the first step, so other work slowed these figures.",
            "",
        ]
    skipped = options["skipped"]
    if skipped:
        lines += [f"Steps skipped in this run: {', '.join(skipped)}.", ""]
    return lines


def _generation(results: Results) -> list[str]:
    lines = ["## Generation end to end", ""]
    if not results.generation:
        return lines + ["Not measured in this run.", ""]
    rows = []
    for result in results.generation:
        peaks = result.peak_memory
        rows.append(
            [
                f"{result.merchants:,}",
                f"{result.rows:,}",
                _runs(result.seconds),
                f"{median(result.seconds):.1f}",
                _rate(result.rows, result.seconds),
                f"{median(peaks) / 1e6:,.0f} / {max(peaks) / 1e6:,.0f}",
                f"{max(result.sample_gaps):.1f}",
            ]
        )
    return lines + _table(
        [
            "merchants",
            "rows",
            "runs",
            "seconds",
            "rows/s",
            "peak memory MB (median / max)",
            "longest gap between memory samples, s",
        ],
        rows,
    )


def _baselines(results: Results) -> list[str]:
    lines = ["## Baselines: merchant_sessions rows written to DuckDB", ""]
    measured = [b for b in (results.naive, results.ceiling) if b is not None]
    if not measured:
        return lines + ["Not measured in this run.", ""]
    names = {
        "naive": "naive per-row Faker loop",
        "numpy": "vectorised numpy columns (ceiling)",
    }
    rows = [
        [
            names[baseline.name],
            f"{baseline.rows:,}",
            _runs(baseline.seconds),
            f"{median(baseline.seconds):.2f}",
            _rate(baseline.rows, baseline.seconds),
        ]
        for baseline in measured
    ]
    return lines + _table(["generator", "rows", "runs", "seconds", "rows/s"], rows)


def _check(results: Results) -> list[str]:
    lines = ["## check() latency", ""]
    check = results.check
    if check is None:
        return lines + ["Not measured in this run.", ""]
    lines += [
        f'`check("{check.exercise_id}", answer)` with the reference solution as '
        f"the answer, on {check.dataset}.",
        "",
    ]
    timed = [("cold check()", check.cold_ms), ("warm check()", check.warm_ms)]
    if check.query_ms:
        timed.append(("the answer's query alone", check.query_ms))
    rows = [
        [
            kind,
            _runs(values).replace("run", "call"),
            f"{median(values):.0f}",
            f"{min(values):.0f}",
            f"{max(values):.0f}",
        ]
        for kind, values in timed
    ]
    lines += _table(["timed", "calls", "median ms", "min ms", "max ms"], rows)
    if check.query_ms:
        query = median(check.query_ms)
        lines += [
            f"The answer's query alone, run and fetched as a DataFrame on a "
            f"connection of the kit, takes {query:.0f} ms: no check of this "
            f"answer can be faster. A warm check() adds "
            f"{median(check.warm_ms) - query:.0f} ms to it.",
            "",
        ]
    return lines


def _notebooks(results: Results) -> list[str]:
    lines = ["## Notebooks: self-check and grading", ""]
    selfcheck, grading = results.selfcheck, results.grading
    rows = []
    if selfcheck is not None:
        rows.append(
            [
                f"`python -m kit check` of the solved "
                f"{', '.join(n.removesuffix('.ipynb') for n in selfcheck.notebooks)}"
                f", on {selfcheck.dataset}",
                _runs(selfcheck.seconds),
                f"{median(selfcheck.seconds):.1f}",
            ]
        )
    if grading is not None:
        size = f"{grading.candidates} candidates, {grading.merchants} merchants each"
        release = f"{grading.release_seconds:.1f}"
        build = f"--jobs {BUILD_JOBS}"
        rows.append([f"`python -m kit release {build}`, {size}", "1 run", release])
        rows.append(
            [
                f"`python -m kit grade {build}`, first run: rebuilding "
                f"{grading.candidates} datasets, no kernels",
                "1 run",
                f"{grading.rebuild_seconds:.1f}",
            ]
        )
        for jobs, seconds in sorted(grading.seconds.items()):
            rows.append(
                [
                    f"`python -m kit grade --jobs {jobs}`, {grading.candidates} "
                    f"× `{grading.notebook}`, datasets kept",
                    _runs(seconds),
                    f"{median(seconds):.1f}",
                ]
            )
    if not rows:
        return lines + ["Not measured in this run.", ""]
    lines += _table(["command", "runs", "seconds"], rows)
    if grading is not None:
        lines += [
            f"Speed-up of `--jobs 2` over `--jobs 1`: {speedup(grading):.2f} times. "
            f"Each grade gave {grading.verdicts} verdicts, {grading.correct} "
            "correct.",
            "",
        ]
    return lines


def _machine(results: Results) -> list[str]:
    machine = results.machine
    physical = machine.physical_cores or "unknown"
    lines = ["## Machine and versions", ""]
    rows = [
        ["CPU", machine.cpu_model],
        ["cores", f"{machine.logical_cores} logical, {physical} physical"],
        ["memory", f"{machine.memory_bytes / 1e9:.1f} GB"],
        [
            "load average (1 min)",
            f"{machine.load_at_start:.1f} at the start, "
            f"{results.load_at_end:.1f} at the end (with the last step running)",
        ],
        ["system", machine.system],
        ["Python", machine.python],
    ]
    rows += [[name, version] for name, version in machine.packages.items()]
    return lines + _table(["", ""], rows)
