"""The code passes the linter and the formatter that pyproject.toml configures."""

import subprocess
import sys

from kit import paths


def run_ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *arguments],
        cwd=paths.PROJECT_ROOT,
        capture_output=True,
        text=True,
    )


def test_ruff_check_passes():
    completed = run_ruff("check", ".")
    assert completed.returncode == 0, completed.stdout


def test_ruff_format_leaves_files_unchanged():
    completed = run_ruff("format", "--check", ".")
    assert completed.returncode == 0, completed.stdout
