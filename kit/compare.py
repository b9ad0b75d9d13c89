"""Compare an answer DataFrame with the reference by the exercise's rules.

Rows are matched by the key columns, values compared by normalized value
(see kit.normalize), and order checked on the declared sort keys only. The
result lists what differs in a few short lines and collects the facts that
the known-mistake conditions read.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kit import normalize
from kit.errors import ReferenceFailed
from kit.facts import DifferingRows, Facts, take
from kit.normalize import Column, show
from kit.registry import CompareRules, SortKey

# How many examples a detail line names before it ends with "and N more", and
# how many differing columns the line of one row names.
EXAMPLES = 5
COLUMNS_PER_ROW = 3
# For a column kind, what the reference contains and how to fix a value that
# cannot be converted to it.
WRONG_TYPE_FIXES = {
    normalize.NUMBER: ("numbers", "return numbers, not text"),
    normalize.BOOL: ("booleans", "return TRUE or FALSE, not 1 and 0 or text"),
}


@dataclass
class Comparison:
    """Outcome of a comparison: whether it matched, what differs, the facts."""

    matched: bool
    details: list[str]
    facts: Facts
    notes: list[str] = field(default_factory=list)


def compare_frames(
    expected: pd.DataFrame,
    got: pd.DataFrame,
    rules: CompareRules,
    *,
    not_finite: dict[str, np.ndarray] | None = None,
    answer_kind: str = "dataframe",
) -> Comparison:
    """Compare ``got`` with the reference ``expected``.

    ``not_finite`` marks, per column of ``got``, the rows whose NaN or
    infinity came from SQL. When it is None (a DataFrame answer) NaN is
    taken for NULL and only an infinity counts as a division by zero.
    """
    return _FrameComparer(expected, got, rules, not_finite, answer_kind).run()


class _FrameComparer:
    def __init__(self, expected, got, rules, not_finite, answer_kind):
        self.rules = rules
        self.expected = _lowercase_columns(expected)
        self.got_raw = got
        self.not_finite_raw = not_finite
        self.details: list[str] = []
        self.notes: list[str] = []
        self.facts = Facts(answer_kind=answer_kind)
        self.failed = False

    def fail(self, line: str) -> None:
        self.failed = True
        self.details.append(line)

    def run(self) -> Comparison:
        self._check_reference()
        self.got, self.not_finite = self._prepare_got()
        self.facts.got_columns = list(self.got.columns)
        expected_columns = list(self.expected.columns)
        self.columns = [name for name in expected_columns if name in self.got]
        self._compare_columns(expected_columns)
        missing_keys = [key for key in self.rules.keys if key not in self.got]
        if missing_keys:
            return self._result()
        self.kinds = {
            name: normalize.kind_of(self.expected[name]) for name in expected_columns
        }
        self.expected_cells = {
            name: normalize.convert(self.expected[name], self.kinds[name])
            for name in expected_columns
        }
        self.got_cells = {name: self._convert_got(name) for name in self.columns}
        self._report_not_finite()
        self._match_rows()
        self._compare_values()
        self._check_order()
        return self._result()

    def _result(self) -> Comparison:
        return Comparison(not self.failed, self.details, self.facts, self.notes)

    def _check_reference(self) -> None:
        missing = [key for key in self.rules.keys if key not in self.expected]
        if missing:
            raise ReferenceFailed(
                f"the reference result has no key column {', '.join(missing)}: "
                "correct compare.keys in exercises.yaml or the solution"
            )

    def _prepare_got(self):
        lowered = [str(name).lower() for name in self.got_raw.columns]
        seen, keep = set(), []
        for position, name in enumerate(lowered):
            if name in seen:
                self.fail(f"Column {name} appears more than once; name each once.")
            else:
                keep.append(position)
                seen.add(name)
        got = self.got_raw.iloc[:, keep].copy()
        got.columns = [lowered[position] for position in keep]
        got = got.reset_index(drop=True)
        not_finite = {}
        for name, mask in (self.not_finite_raw or {}).items():
            not_finite[str(name).lower()] = mask
        return got, not_finite

    def _compare_columns(self, expected_columns: list[str]) -> None:
        missing = [name for name in expected_columns if name not in self.got]
        extra = [name for name in self.got.columns if name not in self.expected]
        if missing:
            self.fail(f"Missing columns: {', '.join(missing)}.")
            self._explain_index(missing)
        if extra:
            self.notes.append(f"Extra columns, not checked: {', '.join(extra)}.")
        if self.rules.column_order and not missing:
            order = [name for name in self.got.columns if name in self.expected]
            if order != expected_columns:
                self.fail(
                    f"Columns are in the order {', '.join(order)}; "
                    f"expected {', '.join(expected_columns)}."
                )

    def _explain_index(self, missing: list[str]) -> None:
        index_names = {
            str(name).lower() for name in self.got_raw.index.names if name is not None
        }
        in_index = [name for name in missing if name in index_names]
        if in_index:
            self.details.append(
                f"{', '.join(in_index)} is in the DataFrame's index, not in its "
                "columns: call reset_index() on the answer."
            )

    def _convert_got(self, name: str) -> Column:
        column = normalize.convert(self.got[name], self.kinds[name])
        self._explain_wrong_type(name, column)
        flags = self.not_finite.get(name)
        if flags is None and column.kind == normalize.NUMBER:
            with np.errstate(invalid="ignore"):
                flags = np.isinf(column.values)
        if flags is not None and flags.any():
            self.not_finite[name] = flags
            column.invalid = column.invalid | flags
            column.missing = column.missing & ~flags
        else:
            self.not_finite.pop(name, None)
        return column

    def _explain_wrong_type(self, name: str, column: Column) -> None:
        """Name the type of the first value that cannot be of the expected kind."""
        expected = WRONG_TYPE_FIXES.get(column.kind)
        if expected is None or not column.invalid.any():
            return
        kind, fix = expected
        value = self.got[name].iloc[int(np.flatnonzero(column.invalid)[0])]
        self.details.append(
            f"Column {name} contains {show(value)} ({type(value).__name__}), but "
            f"the reference contains {kind}: {fix}."
        )

    def _report_not_finite(self) -> None:
        for name, flags in self.not_finite.items():
            self.facts.division_by_zero = True
            count = int(flags.sum())
            self.fail(
                f"Column {name} holds NaN or infinity in {count} "
                f"{_rows(count)}: a division by zero. Divide by "
                "NULLIF(denominator, 0) so those rows get NULL."
            )

    def _match_rows(self) -> None:
        keys = self.rules.keys
        expected_keys = _key_tuples(self.expected_cells, keys, len(self.expected))
        expected_index = self._index_reference(expected_keys)
        got_keys = _key_tuples(self.got_cells, keys, len(self.got))
        got_index, repeats = {}, {}
        for position, key in enumerate(got_keys):
            if key in got_index:
                repeats[key] = repeats.get(key, 1) + 1
            else:
                got_index[key] = position

        self.facts.expected_rows = len(self.expected)
        self.facts.got_rows = len(self.got)
        self.facts.reference_rows = self.expected
        if len(self.got) != len(self.expected):
            self.fail(f"Expected {len(self.expected)} rows, got {len(self.got)}.")
        if repeats:
            self._report_repeats(keys, repeats)

        missing = [key for key in expected_keys if key not in got_index]
        if missing:
            self._report_keys("Missing", missing)
            positions = [expected_index[key] for key in missing]
            self.facts.missing_rows = self.expected.iloc[positions]
        extra = [key for key in got_index if key not in expected_index]
        if extra:
            self._report_keys("Unexpected", extra)
            positions = [got_index[key] for key in extra]
            self.facts.extra_rows = self.got.iloc[positions]

        common = [key for key in expected_keys if key in got_index]
        self.pairs = (
            np.array([expected_index[key] for key in common], dtype=int),
            np.array([got_index[key] for key in common], dtype=int),
        )
        self.common_keys = common

    def _index_reference(self, expected_keys: list[tuple]) -> dict[tuple, int]:
        index = {}
        for position, key in enumerate(expected_keys):
            if key in index:
                raise ReferenceFailed(
                    "the reference result repeats the key "
                    f"{_show_key(self.rules.keys, key)}: correct compare.keys in "
                    "exercises.yaml or the solution"
                )
            index[key] = position
        return index

    def _report_repeats(self, keys, repeats: dict) -> None:
        self.facts.duplicate_keys = True
        examples = [
            f"{_show_key(keys, key)} ({count} rows)"
            for key, count in list(repeats.items())[:EXAMPLES]
        ]
        verb = "appears" if len(repeats) == 1 else "appear"
        self.fail(
            f"{len(repeats)} {_keys_word(keys, len(repeats))} {verb} more than "
            f"once: {join_examples(examples, len(repeats))}. Each "
            f"{' and '.join(keys)} should appear once."
        )

    def _report_keys(self, label: str, keys_found: list) -> None:
        keys = self.rules.keys
        examples = [_show_key(keys, key) for key in keys_found[:EXAMPLES]]
        listed = join_examples(examples, len(keys_found))
        self.fail(f"{label} rows ({len(keys_found)}): {listed}.")

    def _compare_values(self) -> None:
        expected_positions, got_positions = self.pairs
        differing_lines: dict[int, list[str]] = {}
        for name in self.columns:
            if name in self.rules.keys:
                continue
            expected = take(self.expected_cells[name], expected_positions)
            got = take(self.got_cells[name], got_positions)
            tolerance = self.rules.column_tolerance(name)
            same = normalize.equal_cells(expected, got, tolerance)
            if same.all():
                continue
            rows = np.flatnonzero(~same)
            self.facts.differences[name] = DifferingRows(
                self.expected.iloc[expected_positions[rows]],
                take(expected, rows),
                take(got, rows),
            )
            for row in rows:
                wanted = self.expected[name].iloc[expected_positions[row]]
                given = self.got[name].iloc[got_positions[row]]
                line = f"{name} expected {show(wanted)}, got {show(given)}"
                differing_lines.setdefault(int(row), []).append(line)
        if differing_lines:
            self._report_differences(differing_lines)

    def _report_differences(self, differing_lines: dict[int, list[str]]) -> None:
        matched = len(self.common_keys)
        self.fail(
            f"{len(differing_lines)} of {matched} matched {_rows(matched)} differ:"
        )
        keys = self.rules.keys
        for row in sorted(differing_lines)[:EXAMPLES]:
            key = _show_key(keys, self.common_keys[row])
            columns = differing_lines[row]
            shown = "; ".join(columns[:COLUMNS_PER_ROW])
            if len(columns) > COLUMNS_PER_ROW:
                shown += f"; and {len(columns) - COLUMNS_PER_ROW} more columns"
            self.details.append(f"  {key}: {shown}")

    def _check_order(self) -> None:
        sort = self.rules.sort
        if not sort or any(key.column not in self.got_cells for key in sort):
            return
        columns = [self.got_cells[key.column] for key in sort]
        for position in range(1, len(self.got)):
            verdict = _compare_sort_rows(columns, sort, position - 1, position)
            if verdict > 0:
                self._report_order(sort, position)
                return

    def _report_order(self, sort: tuple[SortKey, ...], position: int) -> None:
        keys = self.rules.keys
        rows = [position - 1, position]
        shown = []
        for row in rows:
            key = _show_key(keys, _key_tuple(self.got_cells, keys, row))
            values = ", ".join(
                f"{key_.column} {show(self.got[key_.column].iloc[row])}"
                for key_ in sort
            )
            shown.append(f"row {row + 1} ({key}: {values})")
        wanted = ", ".join(_describe_sort_key(key) for key in sort)
        self.fail(
            f"Rows are out of order at row {position + 1}: {shown[1]} comes after "
            f"{shown[0]}. Sort by {wanted}."
        )


def _lowercase_columns(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = frame.copy()
    renamed.columns = [str(name).lower() for name in frame.columns]
    return renamed.reset_index(drop=True)


def _key_tuple(cells: dict[str, Column], keys, position: int) -> tuple:
    return tuple(normalize.key_value(cells[key], position) for key in keys)


def _key_tuples(cells: dict[str, Column], keys, length: int) -> list[tuple]:
    return [_key_tuple(cells, keys, position) for position in range(length)]


def _show_key(keys, key: tuple) -> str:
    parts = []
    for name, value in zip(keys, key, strict=True):
        if isinstance(value, tuple) and value[:1] == ("invalid",):
            parts.append(f"{name} (invalid value)")
        else:
            parts.append(f"{name} {show(value)}")
    return ", ".join(parts)


def _compare_sort_rows(columns, sort, first: int, second: int) -> int:
    """Return -1, 0 or 1 as row ``first`` sorts before, with or after ``second``."""
    for column, key in zip(columns, sort, strict=True):
        a_missing = bool(column.missing[first] or column.invalid[first])
        b_missing = bool(column.missing[second] or column.invalid[second])
        if a_missing and b_missing:
            continue
        if a_missing or b_missing:
            first_is_after = a_missing if key.nulls == "last" else b_missing
            return 1 if first_is_after else -1
        a = column.values[first]
        b = column.values[second]
        if a == b:
            continue
        try:
            less = bool(a < b)
        except TypeError:
            less = str(a) < str(b)
        result = -1 if less else 1
        return -result if key.descending else result
    return 0


def _describe_sort_key(key: SortKey) -> str:
    direction = "descending" if key.descending else "ascending"
    return f"{key.column} {direction} (NULLs {key.nulls})"


def _rows(count: int) -> str:
    return "row" if count == 1 else "rows"


def _keys_word(keys, count: int) -> str:
    word = "key" if len(keys) == 1 else "key combination"
    return word if count == 1 else word + "s"


def join_examples(examples: list[str], total: int) -> str:
    text = "; ".join(examples)
    if total > len(examples):
        text += f"; and {total - len(examples)} more"
    return text
