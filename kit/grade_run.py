"""Run one submitted notebook in a fresh, limited kernel and read its answers.

The kernel works on its own copy of the candidate's dataset, with an
address-space limit, a per-cell timeout that interrupts the cell, DuckDB
on one thread and a cap on the output kept per cell. After each exercise
cell, a snippet in the kernel writes the value of ``answer`` to a file:
tables as Parquet, anything else as JSON, so the grader never unpickles
what a submission made. Beside it goes the SQL dialect the cell checked
in. The candidate's own check() only prints that the answer was recorded.
"""

import json
import resource
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell

from kit.checking import GRADING_VARIABLE

OUTPUT_CAP_BYTES = 1_000_000
EXPORT_SNIPPET = """
def __kit_export(target):
    import datetime, decimal, json, math
    import duckdb, numpy, pandas

    try:
        import kit.dialects

        dialect = kit.dialects.take_checked_dialect()
    except Exception:
        dialect = None
    with open(f"{target}.dialect.json", "w", encoding="utf-8") as stream:
        json.dump(dialect if isinstance(dialect, str) else None, stream)

    value = globals().get("answer")
    if isinstance(value, duckdb.DuckDBPyRelation):
        value = value.df()
    if isinstance(value, pandas.Series):
        value = value.to_frame()
    if isinstance(value, pandas.DataFrame):
        frame = value.reset_index(drop=True)
        frame.columns = [str(name) for name in frame.columns]
        with duckdb.connect() as con:
            con.register("frame", frame)
            con.execute(f"COPY frame TO '{target}.parquet' (FORMAT parquet)")
        return

    def plain(item):
        if isinstance(item, numpy.generic):
            item = item.item()
        if isinstance(item, (datetime.date, pandas.Timestamp)):
            return {"date": item.isoformat()}
        if isinstance(item, decimal.Decimal):
            return float(item)
        if isinstance(item, float) and not math.isfinite(item):
            return {"float": repr(item)}
        if isinstance(item, dict):
            return {"mapping": [[plain(k), plain(v)] for k, v in item.items()]}
        if isinstance(item, (list, tuple, set, frozenset, numpy.ndarray)):
            return {"list": [plain(v) for v in item]}
        if item is None or isinstance(item, (str, int, float, bool)):
            return item
        return {"unsupported": type(item).__name__}

    with open(f"{target}.json", "w", encoding="utf-8") as stream:
        json.dump(plain(value), stream)


__kit_export(__TARGET__)
del __kit_export
"""


@dataclass
class RunResult:
    """What a run gave: answers by exercise, and what went wrong, if anything."""

    answers: dict = field(default_factory=dict)
    # The SQL dialect each exercise cell checked in, None for DuckDB.
    dialects: dict = field(default_factory=dict)
    problem: str | None = None
    timed_out: list[str] = field(default_factory=list)


class _CappedClient(NotebookClient):
    """A client that keeps at most OUTPUT_CAP_BYTES of output per cell."""

    def output(self, outs, msg, display_id, cell_index):
        sizes = self.__dict__.setdefault("_kit_sizes", {})
        size = sizes.get(cell_index, 0) + len(json.dumps(msg.get("content", {})))
        sizes[cell_index] = size
        if size > OUTPUT_CAP_BYTES:
            return None
        return super().output(outs, msg, display_id, cell_index)


def run_notebook(
    notebook_path: Path,
    dataset: Path,
    scratch: Path,
    *,
    timeout: int,
    memory_mb: int,
) -> RunResult:
    """Execute the notebook at ``notebook_path`` and return its answers."""
    try:
        notebook = nbformat.read(notebook_path, as_version=4)
    except Exception as error:  # nbformat raises several types for bad files
        return RunResult(problem=f"the notebook cannot be read: {_first_line(error)}")
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / "merchants.duckdb"
    shutil.copyfile(dataset, copy)
    env = _kernel_environment(copy, scratch)
    client = _CappedClient(
        notebook,
        timeout=timeout,
        interrupt_on_timeout=True,
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(scratch)}},
    )
    result = RunResult()
    limit = memory_mb * 1024 * 1024
    try:
        with client.setup_kernel(env=env, preexec_fn=lambda: _limit_memory(limit)):
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                _run_cell(client, cell, index, result, scratch)
    except DeadKernelError:
        result.problem = "the kernel died (out of memory or killed)"
    except CellTimeoutError:
        result.problem = "a cell did not finish in time"
    except RuntimeError as error:
        result.problem = f"the kernel failed: {_first_line(error)}"
    return result


def _run_cell(client, cell, index: int, result: RunResult, scratch: Path) -> None:
    client.execute_cell(cell, index)
    if _interrupted(cell):
        result.timed_out.append(cell.get("id", str(index)))
    exercise_id = cell.get("metadata", {}).get("kit", {}).get("exercise")
    if not exercise_id:
        return
    target = scratch / f"answer-{index}"
    snippet = EXPORT_SNIPPET.replace("__TARGET__", repr(str(target)))
    client.execute_cell(new_code_cell(snippet), index)
    result.answers[exercise_id] = read_answer(target)
    result.dialects[exercise_id] = read_dialect(target)


def _interrupted(cell) -> bool:
    return any(
        output.get("output_type") == "error"
        and output.get("ename") == "KeyboardInterrupt"
        for output in cell.get("outputs", [])
    )


class Unreadable:
    """Marks an answer the snippet could not write back."""


UNREADABLE = Unreadable()


def read_answer(target: Path):
    """Return the answer the snippet wrote, or UNREADABLE when it wrote none."""
    table = target.with_name(target.name + ".parquet")
    if table.is_file():
        with duckdb.connect() as con:
            return con.sql(f"SELECT * FROM read_parquet('{table}')").df()
    text = target.with_name(target.name + ".json")
    if not text.is_file():
        return UNREADABLE
    try:
        return _from_plain(json.loads(text.read_text(encoding="utf-8")))
    except ValueError:
        return UNREADABLE


def read_dialect(target: Path) -> str | None:
    """Return the dialect the snippet wrote, None when it wrote none or no text."""
    path = target.with_name(target.name + ".dialect.json")
    try:
        dialect = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return dialect if isinstance(dialect, str) else None


def _from_plain(item):
    if isinstance(item, dict):
        if "date" in item:
            return item["date"]
        if "float" in item:
            return float(item["float"])
        if "mapping" in item:
            return {_from_plain(k): _from_plain(v) for k, v in item["mapping"]}
        if "list" in item:
            return [_from_plain(v) for v in item["list"]]
        return None
    return item


def _kernel_environment(dataset: Path, scratch: Path) -> dict:
    import os

    env = dict(os.environ)
    for name in ("KIT_STRICT", "KIT_RESULTS", "KIT_REGISTRY", "KIT_PROJECT"):
        env.pop(name, None)
    env.update(
        {
            "KIT_DB": str(dataset),
            "KIT_PROGRESS": str(scratch / "progress.json"),
            "KIT_WORKSPACE": str(scratch),
            GRADING_VARIABLE: "1",
            "KIT_DUCKDB_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MPLBACKEND": "agg",
        }
    )
    return env


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
