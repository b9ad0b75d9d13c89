"""`python -m kit build-solutions` on fixture templates, with a real kernel."""

import shutil

import nbformat
import pytest
from test_cli import NOTEBOOKS, kit

from kit.build import WIDGET_STATE

pytestmark = pytest.mark.slow


@pytest.fixture
def templates(project):
    for name in ("check-pass.ipynb", "check-fail.ipynb"):
        shutil.copyfile(NOTEBOOKS / name, project / "notebooks" / name)
    return project / "notebooks"


def outputs_text(cell) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", []))


def exercise_cell(notebook, exercise_id):
    for cell in notebook.cells:
        if cell.get("metadata", {}).get("kit", {}).get("exercise") == exercise_id:
            return cell
    raise AssertionError(f"no cell for {exercise_id}")


def test_build_then_check_current(project, templates):
    result = kit(project, "build-solutions")
    assert result.returncode == 0, result.stdout + result.stderr
    solved = nbformat.read(project / "solutions" / "notebooks" / "check-fail.ipynb", 4)
    audience = exercise_cell(solved, "q4.audience")
    assert audience.source == 'answer = "csm"\ncheck("q4.audience", answer)'
    assert "Correct: q4.audience matches the reference." in outputs_text(audience)
    passing = nbformat.read(project / "solutions" / "notebooks" / "check-pass.ipynb", 4)
    top = exercise_cell(passing, "q2.top_arr")
    assert top.source.startswith('answer = """\n-- Merchants by active ARR')
    assert top.source.endswith('"""\ncheck("q2.top_arr", answer)')
    assert "Correct: q2.top_arr" in outputs_text(top)
    assert not (project / "progress.json").exists()
    assert kit(project, "build-solutions", "--check").returncode == 0


def test_check_reports_stale_notebook(project, templates):
    (templates / "check-pass.ipynb").unlink()
    assert kit(project, "build-solutions").returncode == 0
    (project / "solutions" / "q4" / "audience.py").write_text('answer = "CSM"\n')
    result = kit(project, "build-solutions", "--check")
    assert result.returncode == 1
    assert "stale: check-fail.ipynb: cell 4 differs" in result.stdout


def test_check_reports_missing_notebook(project, templates):
    result = kit(project, "build-solutions", "--check")
    assert result.returncode == 1
    assert "stale: check-fail.ipynb: missing" in result.stdout
    assert "stale: check-pass.ipynb: missing" in result.stdout


def test_failing_solution_fails_build(project, templates):
    (templates / "check-pass.ipynb").unlink()
    (project / "solutions" / "q4" / "audience.py").write_text("answer = missing_name\n")
    result = kit(project, "build-solutions")
    assert result.returncode == 2
    assert (
        "error: check-fail.ipynb failed while executing its solutions" in result.stderr
    )
    assert "NameError" in result.stderr
    assert not (project / "solutions" / "notebooks" / "check-fail.ipynb").exists()


def test_malformed_exercise_cell_rejected(project, templates):
    notebook = nbformat.read(templates / "check-fail.ipynb", 4)
    exercise_cell(
        notebook, "q4.audience"
    ).source = 'answer = "am"\ncheck("q4.other", answer)'
    nbformat.write(notebook, templates / "check-fail.ipynb")
    result = kit(project, "build-solutions", "--check")
    assert result.returncode == 2
    assert 'does not end with `check("q4.audience", answer)`' in result.stderr


def test_expected_error_keeps_no_file_frames(project, templates):
    (templates / "check-fail.ipynb").unlink()
    notebook = nbformat.read(templates / "check-pass.ipynb", 4)
    failing = nbformat.v4.new_code_cell('import json\njson.loads("{")')
    failing.metadata["tags"] = ["raises-exception"]
    notebook.cells.append(failing)
    nbformat.write(notebook, templates / "check-pass.ipynb")

    assert kit(project, "build-solutions").returncode == 0

    solved = nbformat.read(project / "solutions" / "notebooks" / "check-pass.ipynb", 4)
    (error,) = solved.cells[-1].outputs
    assert error.ename == "JSONDecodeError"
    assert any("json.loads" in entry for entry in error.traceback)
    assert "JSONDecodeError" in error.traceback[-1]
    assert not [entry for entry in error.traceback if "json/__init__.py" in entry]


def test_rebuild_keeps_widget_ids(project, templates):
    (templates / "check-fail.ipynb").unlink()
    notebook = nbformat.read(templates / "check-pass.ipynb", 4)
    panel = "import ipywidgets as w\nw.VBox([w.IntSlider(3), w.Checkbox(True)])"
    notebook.cells.append(nbformat.v4.new_code_cell(panel))
    nbformat.write(notebook, templates / "check-pass.ipynb")
    solved = project / "solutions" / "notebooks" / "check-pass.ipynb"

    assert kit(project, "build-solutions").returncode == 0
    first = solved.read_text(encoding="utf-8")
    assert kit(project, "build-solutions").returncode == 0
    second = solved.read_text(encoding="utf-8")

    state = nbformat.reads(second, 4).metadata.widgets[WIDGET_STATE]["state"]
    assert len(state) >= 3
    assert second == first
