"""What the end-to-end tests do in a JupyterLab page, as a candidate would.

Every wait is on a condition in the page (the kernel status, the execution
counts, an output), never a fixed delay.
"""

from dataclasses import dataclass, field
from pathlib import Path

from lab_server import LabServer
from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# Screenshots for a person to look at, in a folder git ignores.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "e2e"
KERNEL_IDLE = "Python 3 (ipykernel) | Idle"
OPEN_TIMEOUT_MS = 60_000
RUN_TIMEOUT_MS = 240_000
CELL_TIMEOUT_MS = 60_000

# Chromium flags: no sandbox as root in a container, and no background
# requests, which fail and retry on a machine without network access.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 1000}

# One entry per cell of the notebook on the page, in order.
READ_CELLS_JS = """
() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => ({
    code: cell.classList.contains('jp-CodeCell'),
    prompt: (cell.querySelector('.jp-InputPrompt')?.textContent ?? '').trim(),
    outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(output => ({
        mime: output.dataset.mimeType ?? '',
        text: output.innerText,
    })),
}))
"""

# True once a code cell shows an execution count such as [12]: and none shows
# [*]:. Run All Cells marks every queued cell [*]:, and after an error JupyterLab
# clears that mark from the cells it no longer runs, so the tests then see them
# unrun instead of waiting for them.
RUN_FINISHED_JS = """
() => {
    const prompts = [...document.querySelectorAll(
        '.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
        .map(prompt => prompt.textContent.trim());
    return prompts.some(prompt => /^\\[\\d+\\]:$/.test(prompt))
        && !prompts.includes('[*]:');
}
"""


@dataclass
class Output:
    mime: str
    text: str


@dataclass
class CellView:
    """A notebook cell as the page shows it."""

    code: bool
    prompt: str
    outputs: list[Output] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(output.text for output in self.outputs)

    @property
    def errors(self) -> list[str]:
        """The text of outputs shown as errors: tracebacks and stderr."""
        return [
            output.text
            for output in self.outputs
            if output.mime == "application/vnd.jupyter.stderr"
        ]


def open_notebook(context: BrowserContext, server: LabServer, name: str) -> Page:
    """Open notebook ``name`` in a new tab and wait until its kernel is idle."""
    page = context.new_page()
    page.goto(server.notebook_url(name))
    page.locator(".jp-StatusBar-Widget").get_by_text(KERNEL_IDLE, exact=True).wait_for(
        timeout=OPEN_TIMEOUT_MS
    )
    return page


def run_all_cells(page: Page) -> None:
    """Choose Run > Run All Cells, then wait until the kernel has run them."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    page.wait_for_function(RUN_FINISHED_JS, timeout=RUN_TIMEOUT_MS)
    wait_for_idle_kernel(page)


def wait_for_idle_kernel(page: Page) -> None:
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        timeout=RUN_TIMEOUT_MS
    )


def wait_until(page: Page, expression: str, arg=None, timeout_ms=CELL_TIMEOUT_MS):
    """Wait until the JavaScript ``expression`` is true, or return False on a timeout.

    Tests that wait for an effect call this, so their asserts report what the
    page shows instead of a bare timeout.
    """
    try:
        page.wait_for_function(expression, arg=arg, timeout=timeout_ms)
    except PlaywrightTimeoutError:
        return False
    return True


def read_cells(page: Page) -> list[CellView]:
    cells = page.evaluate(READ_CELLS_JS)
    return [
        CellView(cell["code"], cell["prompt"], [Output(**o) for o in cell["outputs"]])
        for cell in cells
    ]


def cell(page: Page, index: int):
    """Return the locator of the notebook's cell at ``index``, counting from 0."""
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def type_and_run(page: Page, index: int, source: str) -> None:
    """Type ``source`` into the empty cell at ``index`` and run it with Shift+Enter.

    The text is inserted as typed input without key presses, so the editor's
    automatic indentation and bracket closing leave it unchanged.
    """
    target = cell(page, index)
    target.locator(".cm-content").click()
    page.keyboard.insert_text(source)
    page.keyboard.press("Shift+Enter")
    prompt = target.locator(".jp-InputPrompt")
    page.wait_for_function(
        "prompt => /^\\[\\d+\\]:$/.test(prompt.textContent.trim())",
        arg=prompt.element_handle(),
        timeout=CELL_TIMEOUT_MS,
    )
    wait_for_idle_kernel(page)


def screenshot(page: Page, path: Path, focus=None) -> None:
    """Save the page as a PNG, first scrolling ``focus`` (a locator) into view."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if focus is not None:
        focus.scroll_into_view_if_needed()
    page.screenshot(path=path)
