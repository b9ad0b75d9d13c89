"""JupyterLab on loopback for the end-to-end tests, started as `kit lab` does.

The server runs in its own process group with a random token, and every
folder JupyterLab or IPython writes to lies inside the test's temporary
folder, so a run leaves nothing behind in the user's home.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

STARTUP_TIMEOUT_S = 120
SHUTDOWN_TIMEOUT_S = 20
POLL_INTERVAL_S = 0.2

# JupyterLab user settings: attach every cell to the page, so the tests can
# read all outputs without scrolling, and fetch no news or update notices.
USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
    },
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


@dataclass
class LabServer:
    """A running JupyterLab server and what a client needs to reach it."""

    process: subprocess.Popen
    base_url: str
    token: str
    log_path: Path

    def notebook_url(self, name: str) -> str:
        """Return the address that opens notebook ``name`` in its own workspace.

        A workspace per notebook keeps JupyterLab from reopening the
        notebooks of earlier tests.
        """
        workspace = quote(Path(name).stem)
        return (
            f"{self.base_url}/lab/workspaces/{workspace}/tree/{quote(name)}"
            f"?token={self.token}"
        )

    def request(self, method: str, path: str) -> object:
        """Call the server's REST API and return the decoded JSON, or None."""
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def close_session(self, name: str) -> None:
        """Shut down the kernel of notebook ``name``, if it has one."""
        for session in self.request("GET", "/api/sessions"):
            if session["path"] == name:
                self.request("DELETE", f"/api/sessions/{session['id']}")

    def log_tail(self, characters: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_user_settings(settings_dir: Path) -> None:
    for relative, values in USER_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def lab_environment(workspace: Path, home: Path) -> dict[str, str]:
    """Return the server's environment: the kit's defaults, private Jupyter dirs.

    The kernels inherit it. KIT_* variables of the calling shell are dropped,
    so the kernels find the dataset above the workspace as a candidate's do,
    and the progress record goes to the temporary workspace.
    """
    env = {
        name: value for name, value in os.environ.items() if not name.startswith("KIT_")
    }
    env.update(
        KIT_WORKSPACE=str(workspace),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
    )
    return env


def lab_command(workspace: Path, home: Path, port: int, token: str) -> list[str]:
    """Return the JupyterLab command `kit lab` runs, on loopback with a token.

    The news feed and update check are off, so the server fetches neither.
    """
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--notebook-dir={workspace}",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
        f"--LabApp.user_settings_dir={home / 'lab-settings'}",
        f"--LabApp.workspaces_dir={home / 'lab-workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    return command


def start_lab(workspace: Path, home: Path) -> LabServer:
    """Start JupyterLab serving ``workspace`` and return once its REST API responds.

    ``home`` receives the server's log, settings and runtime files. Raises
    RuntimeError with the end of the log when the server exits or does not
    respond within STARTUP_TIMEOUT_S.
    """
    write_user_settings(home / "lab-settings")
    port = free_port()
    token = secrets.token_hex(24)
    log_path = home / "jupyterlab.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            lab_command(workspace, home, port, token),
            cwd=workspace,
            env=lab_environment(workspace, home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LabServer(process, f"http://127.0.0.1:{port}", token, log_path)
    try:
        wait_until_ready(server)
    except BaseException:
        stop_lab(server)
        raise
    return server


def wait_until_ready(server: LabServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with status {server.process.returncode}:\n"
                + server.log_tail()
            )
        try:
            server.request("GET", "/api/status")
            return
        except (urllib.error.URLError, ConnectionError):
            try:
                server.process.wait(timeout=POLL_INTERVAL_S)
            except subprocess.TimeoutExpired:
                pass
    raise RuntimeError(
        f"JupyterLab did not respond within {STARTUP_TIMEOUT_S} s:\n"
        + server.log_tail()
    )


def stop_lab(server: LabServer) -> None:
    """Shut down the server and its kernels, killing its process group on a timeout.

    Kernels run in sessions of their own, so the kill misses them, but each
    one exits when it sees its parent, the server, gone (ipykernel's parent
    poller).
    """
    if server.process.poll() is None:
        try:
            server.request("POST", "/api/shutdown")
        except (urllib.error.URLError, ConnectionError):
            server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
