"""`python -m kit lab`: data and workspace prepared, then JupyterLab on loopback."""

import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import duckdb
import pytest
from kit_project import project_environment
from test_cli import NOTEBOOKS

from kit import lab
from kit.workspace import copy_missing_templates

TOKEN = "kit-test-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_missing_dataset_generated_with_defaults(project):
    target = project / "data" / "merchants.duckdb"
    target.unlink()

    assert lab.ensure_dataset() == target

    with duckdb.connect(str(target), read_only=True) as connection:
        info = connection.sql("SELECT seed, merchants, as_of FROM dataset_info")
        assert info.fetchall() == [(42, 1000, dt.date(2026, 6, 30))]


def test_existing_dataset_kept(project, monkeypatch):
    monkeypatch.setitem(sys.modules, "datagen", None)
    assert lab.ensure_dataset() == project / "data" / "merchants.duckdb"


def test_templates_copied_without_overwriting(project):
    for name in ("check-pass.ipynb", "check-fail.ipynb"):
        shutil.copyfile(NOTEBOOKS / name, project / "notebooks" / name)
    mine = project / "workspace" / "check-pass.ipynb"
    mine.write_text("my answers", encoding="utf-8")
    copied = copy_missing_templates()
    assert [path.name for path in copied] == ["check-fail.ipynb"]
    assert mine.read_text() == "my answers"


def test_lab_command_passes_arguments():
    command = lab.lab_command(["--no-browser", "--port", "8899"])
    assert command[1:3] == ["-m", "jupyterlab"]
    assert command[3].startswith("--notebook-dir=")
    assert command[4:7] == ["--no-browser", "--port", "8899"]


def test_lab_command_allows_root_only_as_root(monkeypatch):
    monkeypatch.setattr(lab.os, "geteuid", lambda: 0)
    assert lab.lab_command([])[-1] == "--allow-root"
    assert lab.lab_command(["--allow-root"]).count("--allow-root") == 1

    monkeypatch.setattr(lab.os, "geteuid", lambda: 1000)
    assert "--allow-root" not in lab.lab_command([])


def wait_for_contents(port: int, deadline: float) -> dict:
    url = f"http://127.0.0.1:{port}/api/contents?token={TOKEN}"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.load(response)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise AssertionError(f"JupyterLab did not answer on port {port}")


@pytest.mark.slow
def test_lab_serves_workspace_notebooks(project, tmp_path):
    for name in ("check-pass.ipynb", "check-fail.ipynb"):
        shutil.copyfile(NOTEBOOKS / name, project / "notebooks" / name)
    port = free_port()
    env = {
        **os.environ,
        **project_environment(project),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kit",
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={TOKEN}",
            # CI runs as root, which JupyterLab refuses without this flag.
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=project,
    )
    try:
        contents = wait_for_contents(port, time.monotonic() + 60)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            output = server.communicate(timeout=30)[0].decode(errors="replace")
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0].decode(errors="replace")
    names = sorted(item["name"] for item in contents["content"])
    assert names == ["check-fail.ipynb", "check-pass.ipynb"], output
    assert "Copied check-fail.ipynb into" in output
