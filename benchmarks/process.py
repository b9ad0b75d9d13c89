"""Run a child process and measure its wall time and the peak memory of its tree.

The peak is sampled: the proportional set sizes (PSS) of the child and all
its descendants are summed with psutil, at most every ``poll_seconds``, and
the largest sum is kept. PSS divides each shared page, such as a page that
forked workers share with their parent, among the processes that map it.
So the sum is the tree's physical memory, where a sum of resident set
sizes (RSS) would count a shared page once per process. Where PSS cannot
be read, RSS is used instead. ``getrusage(RUSAGE_CHILDREN)`` would not
do: its ru_maxrss is the maximum of single processes, never the sum of
workers that run at the same time, and on Linux a child's ru_maxrss starts
from the size of the process that forked it, because exec keeps the
high-water mark of the memory it replaces.
"""

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

# Samples are at least POLL_SECONDS apart. A sample reads the page
# tables of every process in the tree: about 2 ms of CPU for small processes,
# but about 50 ms for a tree of 1.1 GB (both measured on a two-core machine).
# So the pause after a sample grows with its cost, to keep the sampler's
# share of one core at MAX_SAMPLING_SHARE and the measured run unslowed.
POLL_SECONDS = 0.1
MAX_SAMPLING_SHARE = 0.02
PROJECT_ROOT = Path(__file__).resolve().parent.parent
ERROR_TAIL_CHARS = 3000


class BenchmarkError(Exception):
    """A measured command failed, so its figure cannot be reported."""


@dataclass(frozen=True)
class ChildRun:
    """Wall time, memory and output of one child process."""

    seconds: float
    # Largest sampled sum of PSS over the child and its descendants, in bytes.
    peak_memory: int
    # Longest wall time between two memory samples, in seconds.
    longest_sample_gap: float
    returncode: int
    stdout: str
    stderr: str


def process_memory(process: psutil.Process) -> int:
    """Return the PSS of ``process`` in bytes, or its RSS where PSS is unavailable."""
    try:
        return process.memory_full_info().pss
    except (AttributeError, psutil.AccessDenied):
        return process.memory_info().rss


def tree_memory(pid: int) -> int:
    """Return the summed PSS in bytes of process ``pid`` and its descendants."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process_memory(process)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return total


def sampling_pause(sample_cpu_seconds: float, poll_seconds: float) -> float:
    """Return the pause after a sample that cost ``sample_cpu_seconds`` of CPU."""
    return max(poll_seconds, sample_cpu_seconds / MAX_SAMPLING_SHARE)


def run_child(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path = PROJECT_ROOT,
    poll_seconds: float = POLL_SECONDS,
) -> ChildRun:
    """Run ``command`` to its end, sampling the memory of its process tree.

    The working folder is the project root by default, so ``python -m
    benchmarks.<module>`` works in the child.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        peak = 0
        longest_gap = 0.0
        last_sample = started
        while process.poll() is None:
            sample_started = time.process_time()
            peak = max(peak, tree_memory(process.pid))
            sample_cpu = time.process_time() - sample_started

            now = time.perf_counter()
            longest_gap = max(longest_gap, now - last_sample)
            last_sample = now
            time.sleep(sampling_pause(sample_cpu, poll_seconds))
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
        stderr = err.read().decode("utf-8", errors="replace")
    return ChildRun(
        seconds=seconds,
        peak_memory=peak,
        longest_sample_gap=longest_gap,
        returncode=process.returncode,
        stdout=stdout,
        stderr=stderr,
    )


def run_checked(command: list[str], **options) -> ChildRun:
    """Run ``command`` as run_child does; raise BenchmarkError if it fails."""
    run = run_child(command, **options)
    if run.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(command)} exited with status {run.returncode}:\n"
            f"{run.stdout[-ERROR_TAIL_CHARS:]}\n{run.stderr[-ERROR_TAIL_CHARS:]}"
        )
    return run
