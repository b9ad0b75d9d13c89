"""The notebooks in real JupyterLab, driven through Chromium as a candidate would.

Each solved notebook runs with Run All Cells; the tests read what the page
shows: errors, verdicts, widgets, and what a slider or a rubric box changes.
Screenshots go to build/e2e/ for a person to look at.
"""

import json
import re
import time
from pathlib import Path

import nbformat
import pytest
from notebook_page import (
    SCREENSHOTS,
    cell,
    read_cells,
    screenshot,
    type_and_run,
    wait_until,
)

from kit import paths
from kit.health_panel import SLIDER_MAX

pytestmark = pytest.mark.e2e

NOTEBOOKS = sorted(p.name for p in paths.solved_notebooks_dir().glob("*.ipynb"))
# The first line of a verdict that check() prints.
VERDICT = re.compile(r"^(Correct|Incorrect|Not attempted|Could not check)\b.*$", re.M)
# What JupyterLab shows in place of a widget whose front end is missing.
UNRENDERED_WIDGET = re.compile(
    r"IntSlider\(|Checkbox\(|VBox\(|Loading widgets|Error displaying widget|"
    r"model not found"
)
RED_SUMMARY = re.compile(r"\d+ of \d+ recently renewed merchants score red")
PANEL_NOTEBOOK = "03_business_case.ipynb"
RUBRIC_NOTEBOOK = "04_explaining_health_to_am.ipynb"
RUBRIC_EXERCISE = "q4.am_brief"
PROGRESS_TIMEOUT_S = 10
ANSWERS = Path(__file__).resolve().parent.parent / "answers"
ARR_BY_SEGMENT_SQL = """\
SELECT m.segment, SUM(c.arr_value) AS total_arr,
    COUNT(DISTINCT c.merchant_id) AS merchants
FROM merchant_contracts AS c
JOIN merchants AS m ON m.merchant_id = c.merchant_id
WHERE c.contract_status = 'active'
GROUP BY m.segment
ORDER BY total_arr DESC"""


def tagged(notebook_path: Path) -> list[tuple[set[str], str | None]]:
    """Return the tags and the exercise id of every cell, in order."""
    notebook = nbformat.read(notebook_path, as_version=4)
    return [
        (
            set(cell.metadata.get("tags", [])),
            cell.metadata.get("kit", {}).get("exercise"),
        )
        for cell in notebook.cells
    ]


def cell_index(page, source_start: str) -> int:
    """Return the index of the first cell whose source starts with the text."""
    editors = page.locator(".jp-Notebook .jp-Cell .jp-InputArea-editor")
    for index, text in enumerate(editors.all_inner_texts()):
        if text.lstrip().startswith(source_start):
            return index
    raise AssertionError(f"no cell starts with {source_start!r}")


def first_figure(page):
    """Return the first plot or widget output, else the first error or last output."""
    outputs = page.locator(".jp-OutputArea-output")
    figures = outputs.filter(has=page.locator("img, .jupyter-widgets"))
    errors = page.locator(".jp-OutputArea-output[data-mime-type*=stderr]")
    for candidates in (figures, errors):
        if candidates.count():
            return candidates.first
    return outputs.last


@pytest.mark.parametrize("name", NOTEBOOKS, ids=lambda n: n.split("_")[0])
def test_notebook_runs_clean(name, executed, lab_workspace):
    page = executed(name)
    cells = read_cells(page)
    screenshot(page, SCREENSHOTS / f"{Path(name).stem}.png", focus=first_figure(page))

    expected = tagged(lab_workspace / name)
    assert len(cells) == len(expected)
    for index, (view, (tags, exercise_id)) in enumerate(
        zip(cells, expected, strict=True)
    ):
        if not view.code:
            continue
        assert re.fullmatch(r"\[\d+\]:", view.prompt), f"cell {index} did not run"
        if "raises-exception" not in tags:
            assert not view.errors, f"cell {index} shows an error: {view.errors}"
        if exercise_id:
            verdict = VERDICT.search(view.text)
            assert verdict, f"{exercise_id} shows no verdict: {view.text!r}"
            assert verdict.group(0).startswith(f"Correct: {exercise_id} "), view.text


@pytest.mark.parametrize(
    "name,selector",
    [(PANEL_NOTEBOOK, ".widget-slider"), (RUBRIC_NOTEBOOK, ".widget-checkbox")],
    ids=["panel", "rubric"],
)
def test_widgets_render(name, selector, executed):
    page = executed(name)
    widgets = page.locator(f".jp-OutputArea-output .jupyter-widgets{selector}")
    text = "\n".join(page.locator(".jp-Notebook .jp-OutputArea").all_inner_texts())
    unrendered = UNRENDERED_WIDGET.search(text)
    shown = text[unrendered.start() :][:120] if unrendered else ""

    assert widgets.count() > 0, f"no {selector} widget is rendered in {name}"
    assert unrendered is None, f"a widget shows as text in {name}: {shown!r}"


def test_weight_slider_changes_red_list(executed):
    page = executed(PANEL_NOTEBOOK)
    panel = cell(page, cell_index(page, "renewed_recently = "))
    slider = panel.locator(".widget-slider").first
    red_list = panel.locator(".widget-output")
    before = red_list.inner_text()

    # Drag the first slider's handle to the right end of its track.
    slider.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle").first.bounding_box()
    track = slider.locator(".noUi-target").bounding_box()
    middle_y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, middle_y)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"], middle_y, steps=5)
    page.mouse.up()
    wait_until(
        page,
        """([node, before, summary]) => node.innerText !== before
            && new RegExp(summary).test(node.innerText)
            && node.querySelector('table') !== null""",
        [red_list.element_handle(), before, RED_SUMMARY.pattern],
    )
    after = red_list.inner_text()
    screenshot(page, SCREENSHOTS / "03_weight_panel_moved.png", focus=panel)

    assert slider.locator(".widget-readout").inner_text() == str(SLIDER_MAX)
    assert RED_SUMMARY.search(before), before
    assert after != before, after


def test_rubric_tick_is_saved(executed, lab_workspace):
    page = executed(RUBRIC_NOTEBOOK)
    box = page.locator(".widget-checkbox").first
    item = box.inner_text().strip()
    box.locator("input[type=checkbox]").check()
    screenshot(page, SCREENSHOTS / "04_rubric_ticked.png", focus=box)

    progress_file = lab_workspace / ".kit" / "progress.json"
    deadline = time.monotonic() + PROGRESS_TIMEOUT_S
    ticks = {}
    while not ticks.get(item) and time.monotonic() < deadline:
        if progress_file.is_file():
            record = json.loads(progress_file.read_text())
            entry = record["exercises"].get(RUBRIC_EXERCISE, {})
            ticks = entry.get("rubric", {})
        time.sleep(0.1)

    assert box.locator("input[type=checkbox]").is_checked()
    assert ticks.get(item) is True, ticks


def test_typed_wrong_sql_shows_diagnostic(new_notebook):
    wrong_sql = (ANSWERS / "q2.at_risk_top100" / "wrong-count-star.sql").read_text()
    page = new_notebook(cells=1)
    type_and_run(
        page,
        0,
        "from kit import check\n"
        f'answer = """\n{wrong_sql}"""\n'
        'check("q2.at_risk_top100", answer)',
    )
    output = " ".join(read_cells(page)[0].text.split())
    screenshot(page, SCREENSHOTS / "typed_wrong_sql.png", focus=cell(page, 0))

    assert output.startswith("Incorrect: q2.at_risk_top100"), output
    assert "COUNT(*) counts a row delivered twice as two" in output, output


def test_typed_sql_cell_shows_table(new_notebook):
    page = new_notebook(cells=2)
    type_and_run(page, 0, "import kit")
    type_and_run(page, 1, f"%%sql\n{ARR_BY_SEGMENT_SQL}")
    table = cell(page, 1).locator(".jp-OutputArea-output table")
    headers = table.locator("thead th").all_inner_texts()
    screenshot(page, SCREENSHOTS / "typed_sql_cell.png", focus=cell(page, 1))

    assert table.count() == 1
    assert [h for h in headers if h] == ["segment", "total_arr", "merchants"]
    assert table.locator("tbody tr").count() > 0


def test_typed_sql_answer_gets_verdict(new_notebook):
    page = new_notebook(cells=3)
    type_and_run(page, 0, "from kit import check")
    type_and_run(page, 1, f"%%sql -o answer\n{ARR_BY_SEGMENT_SQL}")
    type_and_run(page, 2, 'check("q0.arr_by_segment", answer)')
    output = read_cells(page)[2].text
    screenshot(page, SCREENSHOTS / "typed_sql_answer.png", focus=cell(page, 2))

    assert output.startswith("Correct: q0.arr_by_segment"), output
