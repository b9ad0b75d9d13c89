"""Fixtures of the end-to-end tests: a JupyterLab server and a Chromium browser.

Both are started once per test module. The workspace, the dataset copy,
JupyterLab's settings and the browser profile live in one temporary folder
that is removed when the module ends, whether its tests pass or fail.
"""

import os
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest
from lab_server import start_lab, stop_lab
from notebook_page import CHROMIUM_ARGS, VIEWPORT, open_notebook, run_all_cells

from kit import paths

CHROMIUM = Path("/usr/bin/chromium")
# Set in CI, where a missing Chromium must fail the suite instead of skipping it.
REQUIRE_CHROMIUM = "KIT_E2E_REQUIRE_CHROMIUM"
# The smallest dataset datagen accepts keeps the suite fast, and the solved
# notebooks pass on it.
DATASET = {"seed": 42, "merchants": 300}


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Return Debian's Chromium, skipping (or failing in CI) when it is missing."""
    if CHROMIUM.is_file():
        return CHROMIUM
    message = (
        f"{CHROMIUM} not found: install it with "
        "`apt-get install -y --no-install-recommends chromium` to run the "
        "end-to-end tests"
    )
    if os.environ.get(REQUIRE_CHROMIUM):
        pytest.fail(f"{message} ({REQUIRE_CHROMIUM} is set)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def e2e_root(chromium):
    with tempfile.TemporaryDirectory(prefix="kit-e2e-") as root:
        yield Path(root)


def unexecuted_copy(source: Path, target: Path) -> None:
    """Copy a notebook without outputs, so the page shows only this run's."""
    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, target)


@pytest.fixture(scope="module")
def lab_workspace(e2e_root, make_dataset) -> Path:
    """Lay out data/merchants.duckdb and workspace/ with the solved notebooks."""
    data = e2e_root / "data"
    data.mkdir()
    shutil.copy(make_dataset(**DATASET), data / paths.DEFAULT_DB_NAME)
    workspace = e2e_root / "workspace"
    workspace.mkdir()
    for solved in sorted(paths.solved_notebooks_dir().glob("*.ipynb")):
        unexecuted_copy(solved, workspace / solved.name)
    return workspace


@pytest.fixture(scope="module")
def lab(lab_workspace, e2e_root):
    home = e2e_root / "home"
    home.mkdir()
    server = start_lab(lab_workspace, home)
    try:
        yield server
    finally:
        stop_lab(server)


@pytest.fixture(scope="module")
def browser(chromium, e2e_root):
    """A Chromium context with a fresh profile, launched from Debian's binary.

    Playwright drives the system Chromium and downloads no browser of its own.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            e2e_root / "chromium-profile",
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def executed(browser, lab):
    """Return a function that opens a notebook and runs all its cells, once.

    Later calls for the same notebook return the same page, so the widget
    tests work on the page the notebook test ran.
    """
    pages = {}

    def run(name: str):
        if name not in pages:
            page = open_notebook(browser, lab, name)
            run_all_cells(page)
            pages[name] = page
        return pages[name]

    return run


@pytest.fixture
def new_notebook(browser, lab, lab_workspace, request):
    """Return a function that writes a notebook of empty cells and opens it."""
    opened = []
    name = f"{request.node.name}.ipynb"

    def create(cells: int):
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        notebook.cells = [nbformat.v4.new_code_cell("") for _ in range(cells)]
        nbformat.write(notebook, lab_workspace / name)
        page = open_notebook(browser, lab, name)
        opened.append(page)
        return page

    yield create
    for page in opened:
        page.close()
    lab.close_session(name)
