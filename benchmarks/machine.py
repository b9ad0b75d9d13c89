"""The machine and the software a benchmark ran on."""

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psutil

from benchmarks.process import PROJECT_ROOT

PACKAGES = (
    "duckdb",
    "numpy",
    "pandas",
    "Faker",
    "sqlglot",
    "nbval",
    "nbclient",
    "ipykernel",
    "pytest",
    "psutil",
)


@dataclass(frozen=True)
class Machine:
    """CPU, memory, system and package versions, and when the run started."""

    cpu_model: str
    logical_cores: int
    physical_cores: int | None
    memory_bytes: int
    system: str
    python: str
    packages: dict[str, str]
    commit: str
    started: datetime
    # One-minute load average when the run started: other work on the machine
    # slows every figure.
    load_at_start: float


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """Return the CPU model name, from /proc/cpuinfo where the system has it."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_commit() -> str:
    """Return the project's commit and whether the tree has changes, if known."""
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit or "unknown"


def describe_machine() -> Machine:
    return Machine(
        cpu_model=cpu_model(),
        logical_cores=os.cpu_count() or 0,
        physical_cores=psutil.cpu_count(logical=False),
        memory_bytes=psutil.virtual_memory().total,
        system=platform.platform(),
        python=platform.python_version(),
        packages={name: package_version(name) for name in PACKAGES},
        commit=git_commit(),
        started=datetime.now(UTC),
        load_at_start=os.getloadavg()[0],
    )
