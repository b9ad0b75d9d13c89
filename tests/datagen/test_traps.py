"""The SQL traps make each common mistake in the capstone query visible.

For every trap seed at 300 merchants (and the default size, marked slow),
the reference query must show the trap, and each wrong variant must give a
different result on exactly the trap's merchants.
"""

import functools
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from capstone_sql import REFERENCE, VARIANTS

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "q2" / "at_risk_top100.sql"
CORPUS = ROOT / "tests" / "answers" / "q2.at_risk_top100"
TRAP_SEEDS = (1, 2, 3, 42)
# Mistakes of the wrong-answer corpus and the trap that must expose each.
CORPUS_TRAPS = {
    "grouped_by_renewal_date": "several_active_contracts",
    "no_status_filter": "inactive_contracts",
    "count_star_duplicates": "duplicate_sessions",
    "ties_dropped_at_cutoff": "arr_tie_at_cutoff",
    "dense_rank_at_cutoff": "arr_tie_at_cutoff",
    "window_bounds_off_by_one": "window_boundary_sessions",
    "left_join_filtered_to_inner": "gone_dark",
    "no_baseline_as_healthy": "no_baseline",
    "counts_null_not_zero": "gone_dark",
}

DATASETS = [pytest.param((seed, 300), id=f"seed{seed}-300") for seed in TRAP_SEEDS] + [
    pytest.param((42, 1000), id="seed42-1000", marks=pytest.mark.slow)
]


@pytest.fixture(params=DATASETS)
def trap_dataset(request, build_dataset):
    seed, merchants = request.param
    return build_dataset(seed=seed, merchants=merchants)


def run(path: Path, sql: str) -> pd.DataFrame:
    return _run_cached(path, sql, path.stat().st_mtime_ns).copy()


@functools.lru_cache(maxsize=256)
def _run_cached(path: Path, sql: str, modified: int) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).df()


def rows_of(result: pd.DataFrame, merchant_id: int) -> pd.DataFrame:
    return result[result["merchant_id"] == merchant_id]


def trap_merchants(dataset, trap: str) -> list[int]:
    return [int(m) for m in dataset.planted(trap)["merchant_id"]]


def only_row(result: pd.DataFrame, merchant_id: int) -> pd.Series:
    rows = rows_of(result, merchant_id)
    assert len(rows) == 1, f"merchant {merchant_id} has {len(rows)} rows"
    return rows.iloc[0]


def test_reference_keeps_every_trap_merchant(trap_dataset):
    result = run(trap_dataset.path, REFERENCE)
    listed = set(result["merchant_id"])
    for trap in (
        "several_active_contracts",
        "no_baseline",
        "duplicate_sessions",
        "gone_dark",
        "window_boundary_sessions",
        "exact_risk_bounds",
        "arr_tie_at_cutoff",
    ):
        missing = set(trap_merchants(trap_dataset, trap)) - listed
        assert not missing, f"{trap} merchants {missing} are not in the top 100"


def test_reference_shows_tie_at_cutoff(trap_dataset):
    result = run(trap_dataset.path, REFERENCE)
    tied = trap_merchants(trap_dataset, "arr_tie_at_cutoff")
    assert len(tied) == 3
    ranks = {int(only_row(result, m)["arr_rank"]) for m in tied}
    assert ranks == {99}
    totals = {only_row(result, m)["total_arr"] for m in tied}
    assert len(totals) == 1
    assert len(result) == 101
    assert result["arr_rank"].max() == 99


def test_reference_flags_exact_bounds_medium(trap_dataset):
    result = run(trap_dataset.path, REFERENCE)
    planted = trap_dataset.planted("exact_risk_bounds")
    changes = {}
    for merchant_id, details in zip(
        planted["merchant_id"], planted["details"], strict=True
    ):
        row = only_row(result, merchant_id)
        assert row["health_flag"] == "Medium Risk"
        changes[float(row["session_change_pct"])] = details["session_change_pct"]
    assert sorted(changes) == [-40.0, -15.0]
    assert all(found == planted for found, planted in changes.items())


def test_reference_shows_no_baseline_and_gone_dark(trap_dataset):
    result = run(trap_dataset.path, REFERENCE)
    for merchant_id in trap_merchants(trap_dataset, "no_baseline"):
        row = only_row(result, merchant_id)
        assert row["sessions_prior_30d"] == 0
        assert row["sessions_last_30d"] > 0
        assert pd.isna(row["session_change_pct"])
        assert row["health_flag"] == "No Baseline"
    for merchant_id in trap_merchants(trap_dataset, "gone_dark"):
        row = only_row(result, merchant_id)
        assert row["sessions_last_30d"] == 0
        assert row["sessions_prior_30d"] > 0
        assert row["features_used_last_30d"] == 0
        assert row["health_flag"] == "High Risk"


def test_trap_contracts_are_planted(trap_dataset):
    contracts = trap_dataset.query("SELECT * FROM merchant_contracts")
    for merchant_id in trap_merchants(trap_dataset, "several_active_contracts"):
        own = contracts[contracts["merchant_id"] == merchant_id]
        active = own[own["contract_status"] == "active"]
        assert len(active) >= 2
        assert active["renewal_date"].nunique() >= 2
    planted = trap_dataset.planted("inactive_contracts")
    inside = planted[~planted["details"].map(lambda d: d["outside_top_100"])]
    assert len(inside) >= 2
    for merchant_id in inside["merchant_id"]:
        statuses = set(
            contracts.loc[contracts["merchant_id"] == merchant_id, "contract_status"]
        )
        assert {"active", "expired", "cancelled"} <= statuses


def test_status_filter_trap_lifts_outsider(trap_dataset):
    planted = trap_dataset.planted("inactive_contracts")
    outside = planted[planted["details"].map(lambda d: d["outside_top_100"])]
    assert len(outside) == 1
    merchant_id = int(outside["merchant_id"].iloc[0])
    reference = run(trap_dataset.path, REFERENCE)
    assert rows_of(reference, merchant_id).empty
    without_filter = next(v for v in VARIANTS if v.name == "no_status_filter")
    wrong = run(trap_dataset.path, without_filter.sql)
    assert not rows_of(wrong, merchant_id).empty


def test_duplicate_and_boundary_sessions_exist(trap_dataset):
    sessions = trap_dataset.query(
        """
        SELECT merchant_id,
            COUNT(*) FILTER (WHERE session_date >= as_of_date() - 30) AS last_rows,
            COUNT(DISTINCT session_id) FILTER (WHERE session_date >= as_of_date() - 30)
                AS last_sessions,
            COUNT(*) FILTER (WHERE session_date < as_of_date() - 30) AS prior_rows,
            COUNT(DISTINCT session_id) FILTER (WHERE session_date < as_of_date() - 30)
                AS prior_sessions,
            COUNT(*) FILTER (WHERE session_date = as_of_date() - 30) AS on_last_start,
            COUNT(*) FILTER (WHERE session_date = as_of_date() - 60) AS on_prior_start
        FROM merchant_sessions
        WHERE session_date >= as_of_date() - 60 AND session_date < as_of_date()
        GROUP BY merchant_id
        """
    ).set_index("merchant_id")
    for merchant_id in trap_merchants(trap_dataset, "duplicate_sessions"):
        row = sessions.loc[merchant_id]
        assert row["last_rows"] > row["last_sessions"]
        assert row["prior_rows"] > row["prior_sessions"]
    for merchant_id in trap_merchants(trap_dataset, "window_boundary_sessions"):
        row = sessions.loc[merchant_id]
        assert row["on_last_start"] > 0
        assert row["on_prior_start"] > 0


def differs_for_trap(
    variant, dataset, reference: pd.DataFrame, wrong: pd.DataFrame
) -> None:
    """Assert that ``wrong`` differs from ``reference`` on the trap's merchants."""
    trap = variant.trap
    merchants = trap_merchants(dataset, trap)
    if trap == "several_active_contracts":
        for merchant_id in merchants:
            before = only_row(reference, merchant_id)
            after = rows_of(wrong, merchant_id)
            assert len(after) != 1 or after.iloc[0]["total_arr"] != before["total_arr"]
    elif trap == "inactive_contracts":
        changed = [
            m
            for m in merchants
            if rows_of(wrong, m).empty != rows_of(reference, m).empty
            or not rows_of(wrong, m)["total_arr"].equals(
                rows_of(reference, m)["total_arr"]
            )
        ]
        assert len(changed) == len(merchants), (
            f"unchanged: {set(merchants) - set(changed)}"
        )
    elif trap == "duplicate_sessions":
        column = (
            "sessions_prior_30d" if "prior" in variant.name else "sessions_last_30d"
        )
        for merchant_id in merchants:
            assert (
                only_row(wrong, merchant_id)[column]
                > only_row(reference, merchant_id)[column]
            )
    elif trap == "arr_tie_at_cutoff":
        kept = [m for m in merchants if not rows_of(wrong, m).empty]
        if variant.name == "dense_rank":
            extra = set(wrong["merchant_id"]) - set(reference["merchant_id"])
            assert len(kept) == 3
            assert extra, "DENSE_RANK added no merchant"
        else:
            assert len(kept) == 2
            assert len(wrong) == 100
    elif trap == "window_boundary_sessions":
        column = "sessions_last_30d" if "last" in variant.name else "sessions_prior_30d"
        for merchant_id in merchants:
            assert (
                only_row(wrong, merchant_id)[column]
                != only_row(reference, merchant_id)[column]
            )
    elif trap in ("gone_dark", "no_baseline") and "join" in variant.name:
        for merchant_id in merchants:
            assert rows_of(wrong, merchant_id).empty
    elif trap == "no_baseline":
        for merchant_id in merchants:
            assert only_row(wrong, merchant_id)["health_flag"] == "Healthy"
    elif trap == "exact_risk_bounds":
        flags = {
            float(only_row(reference, m)["session_change_pct"]): only_row(wrong, m)[
                "health_flag"
            ]
            for m in merchants
        }
        if variant.name == "high_risk_inclusive":
            assert flags[-40.0] == "High Risk"
        else:
            assert flags == {-40.0: "Healthy", -15.0: "Healthy"}
    else:
        raise AssertionError(f"no check for trap {trap}")


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_mistake_changes_trap_rows(variant, trap_dataset):
    reference = run(trap_dataset.path, REFERENCE)
    wrong = run(trap_dataset.path, variant.sql)
    differs_for_trap(variant, trap_dataset, reference, wrong)


def corpus_files() -> list[Path]:
    files = []
    for path in sorted(CORPUS.glob("wrong-*.sql")):
        expected = path.read_text().splitlines()[0].removeprefix("-- expect: ").strip()
        if expected in CORPUS_TRAPS:
            files.append(path)
    return files


@pytest.mark.skipif(not corpus_files(), reason="the wrong-answer corpus is not present")
@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
@pytest.mark.parametrize("seed", TRAP_SEEDS)
def test_corpus_mistake_changes_result(path, seed, build_dataset):
    dataset = build_dataset(seed=seed)
    reference = run(dataset.path, REFERENCE)
    wrong = run(dataset.path, path.read_text())
    columns = list(reference.columns)
    assert list(wrong.columns[: len(columns)]) == columns or set(columns) <= set(
        wrong.columns
    )
    assert not wrong[columns].reset_index(drop=True).equals(reference)


@pytest.mark.skipif(
    not SOLUTION.is_file(), reason="the reference solution is not present"
)
@pytest.mark.parametrize("seed", TRAP_SEEDS)
def test_solution_matches_reference(seed, build_dataset):
    dataset = build_dataset(seed=seed)
    reference = run(dataset.path, REFERENCE)
    solution = run(dataset.path, SOLUTION.read_text())
    pd.testing.assert_frame_equal(
        solution[list(reference.columns)], reference, check_dtype=False
    )


REMOVALS = {
    # Mistake variant -> SQL that removes the trap from a copy of the dataset.
    "count_star": "CREATE OR REPLACE TABLE merchant_sessions AS "
    "SELECT DISTINCT * FROM merchant_sessions",
    "last_window_strict_start": "DELETE FROM merchant_sessions "
    "WHERE session_date = as_of_date() - 30",
    "prior_window_strict_start": "DELETE FROM merchant_sessions "
    "WHERE session_date = as_of_date() - 60",
}


@pytest.mark.parametrize("name", sorted(REMOVALS))
def test_mistake_invisible_without_trap(name, small_dataset, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(small_dataset.path, copy)
    with duckdb.connect(str(copy)) as connection:
        connection.execute(REMOVALS[name])
    variant = next(v for v in VARIANTS if v.name == name)
    reference = run(copy, REFERENCE)
    wrong = run(copy, variant.sql)
    pd.testing.assert_frame_equal(wrong, reference)


def test_row_number_harmless_without_tie(small_dataset, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(small_dataset.path, copy)
    tied = trap_merchants(small_dataset, "arr_tie_at_cutoff")
    with duckdb.connect(str(copy)) as connection:
        for step, merchant_id in enumerate(tied[1:], start=1):
            connection.execute(
                "UPDATE merchant_contracts SET arr_value = arr_value + ? "
                "WHERE contract_id = (SELECT max(contract_id) FROM merchant_contracts "
                "WHERE merchant_id = ? AND contract_status = 'active')",
                [step * 0.01, merchant_id],
            )
    variant = next(v for v in VARIANTS if v.name == "row_number")
    reference = run(copy, REFERENCE)
    wrong = run(copy, variant.sql)
    assert len(reference) == 100
    pd.testing.assert_frame_equal(wrong, reference)
