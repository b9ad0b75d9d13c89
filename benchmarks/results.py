"""All figures of one benchmark run, and the targets they are judged against."""

from dataclasses import dataclass, field
from statistics import median

from benchmarks.baselines import BaselineResult
from benchmarks.checking import CheckResult
from benchmarks.generation import GenerationResult
from benchmarks.grading import GradingResult
from benchmarks.machine import Machine
from benchmarks.selfcheck import SelfCheckResult

# Targets. Memory is in bytes (1 GB = 10**9 bytes), latency in milliseconds.
MIN_TIMES_NAIVE = 150
MIN_SHARE_OF_CEILING = 0.5
LINEAR_SIZES = (10_000, 100_000)
MAX_LINEAR_RATIO = 11
MEMORY_SIZE = 100_000
MAX_PEAK_BYTES = 1.5e9
MAX_WARM_MS = 50
MAX_COLD_MS = 1000
MIN_JOBS_SPEEDUP = 1.6


@dataclass
class Results:
    """Measurements of one run. A skipped step stays None."""

    machine: Machine
    options: dict
    generation: list[GenerationResult] = field(default_factory=list)
    naive: BaselineResult | None = None
    ceiling: BaselineResult | None = None
    check: CheckResult | None = None
    selfcheck: SelfCheckResult | None = None
    grading: GradingResult | None = None
    total_seconds: float = 0.0
    # One-minute load average when the last step ended.
    load_at_end: float = 0.0

    def generation_at(self, merchants: int) -> GenerationResult | None:
        for result in self.generation:
            if result.merchants == merchants and result.seconds:
                return result
        return None

    def largest_generation(self) -> GenerationResult | None:
        measured = [result for result in self.generation if result.seconds]
        return max(measured, key=lambda r: r.merchants) if measured else None


@dataclass(frozen=True)
class TargetOutcome:
    """One target, the figure measured for it, and whether it was met."""

    target: str
    figure: str
    # None when the figure was not measured in this run.
    met: bool | None


def rate(rows: int, seconds: list[float]) -> float:
    """Return rows per second over the median time."""
    return rows / median(seconds)


def speedup(grading: GradingResult) -> float:
    """Return the median time with one job over the median time with two."""
    return median(grading.seconds[1]) / median(grading.seconds[2])


def evaluate_targets(results: Results) -> list[TargetOutcome]:
    """Judge every target. A target whose figure is missing is not measured."""
    return [
        _times_naive(results),
        _share_of_ceiling(results),
        _linear(results),
        _memory(results),
        _check_warm(results),
        _check_cold(results),
        _jobs_speedup(results),
    ]


def _times_naive(results: Results) -> TargetOutcome:
    target = f"generation at least {MIN_TIMES_NAIVE} times the naive Faker rate"
    largest = results.largest_generation()
    if largest is None or results.naive is None:
        return TargetOutcome(target, "not measured", None)
    ratio = rate(largest.rows, largest.seconds) / rate(
        results.naive.rows, results.naive.seconds
    )
    figure = f"{ratio:,.0f} times, at {largest.merchants:,} merchants"
    return TargetOutcome(target, figure, ratio >= MIN_TIMES_NAIVE)


def _share_of_ceiling(results: Results) -> TargetOutcome:
    target = f"generation at least {MIN_SHARE_OF_CEILING:.0%} of the numpy ceiling rate"
    largest = results.largest_generation()
    if largest is None or results.ceiling is None:
        return TargetOutcome(target, "not measured", None)
    share = rate(largest.rows, largest.seconds) / rate(
        results.ceiling.rows, results.ceiling.seconds
    )
    figure = f"{share:.0%}, at {largest.merchants:,} merchants"
    return TargetOutcome(target, figure, share >= MIN_SHARE_OF_CEILING)


def _linear(results: Results) -> TargetOutcome:
    small, large = LINEAR_SIZES
    target = (
        f"{large:,} merchants take at most {MAX_LINEAR_RATIO} times "
        f"as long as {small:,}"
    )
    smaller, larger = results.generation_at(small), results.generation_at(large)
    if smaller is None or larger is None:
        return TargetOutcome(target, "not measured", None)
    ratio = median(larger.seconds) / median(smaller.seconds)
    return TargetOutcome(target, f"{ratio:.1f} times", ratio <= MAX_LINEAR_RATIO)


def _memory(results: Results) -> TargetOutcome:
    target = (
        f"peak memory at most {MAX_PEAK_BYTES / 1e9:g} GB at {MEMORY_SIZE:,} merchants"
    )
    generation = results.generation_at(MEMORY_SIZE)
    if generation is None:
        return TargetOutcome(target, "not measured", None)
    peak = max(generation.peak_memory)
    figure = f"{peak / 1e9:.2f} GB, the highest of {len(generation.peak_memory)} runs"
    return TargetOutcome(target, figure, peak <= MAX_PEAK_BYTES)


def _check_warm(results: Results) -> TargetOutcome:
    target = f"check() warm at most {MAX_WARM_MS} ms"
    if results.check is None:
        return TargetOutcome(target, "not measured", None)
    warm = median(results.check.warm_ms)
    figure = f"{warm:.0f} ms, on {results.check.dataset}"
    if results.check.query_ms:
        query = median(results.check.query_ms)
        figure += f"; the answer's query alone takes {query:.0f} ms"
    return TargetOutcome(target, figure, warm <= MAX_WARM_MS)


def _check_cold(results: Results) -> TargetOutcome:
    target = f"check() cold at most {MAX_COLD_MS / 1000:g} s"
    if results.check is None:
        return TargetOutcome(target, "not measured", None)
    cold = median(results.check.cold_ms)
    figure = f"{cold:.0f} ms, on {results.check.dataset}"
    return TargetOutcome(target, figure, cold <= MAX_COLD_MS)


def _jobs_speedup(results: Results) -> TargetOutcome:
    target = f"grading with --jobs 2 at least {MIN_JOBS_SPEEDUP:g} times faster"
    if results.grading is None:
        return TargetOutcome(target, "not measured", None)
    ratio = speedup(results.grading)
    return TargetOutcome(target, f"{ratio:.2f} times", ratio >= MIN_JOBS_SPEEDUP)
