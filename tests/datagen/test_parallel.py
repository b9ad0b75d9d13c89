"""Per-merchant builders split between processes give the same rows."""

import os

import pytest
from test_command_line import snapshot
from test_determinism import fingerprint, generate_like
from test_workers import worker_processes

from datagen import parallel, support
from datagen.merchants import MERCHANT_ID_OFFSET


@pytest.mark.parametrize(
    ("count", "processes"), [(10, 1), (10, 3), (9, 2), (3, 8), (1, 2)]
)
def test_chunk_ranges_cover_in_order(count, processes, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_MERCHANTS_PER_PROCESS", 1)
    ranges = parallel.chunk_ranges(count, processes)

    assert len(ranges) == min(count, processes)
    assert ranges[0][0] == 0
    assert ranges[-1][1] == count
    for (_, end), (first, _) in zip(ranges[:-1], ranges[1:], strict=True):
        assert end == first
    sizes = [end - first for first, end in ranges]
    assert max(sizes) - min(sizes) <= 1


def test_few_merchants_stay_in_one_chunk():
    count = parallel.MIN_MERCHANTS_PER_PROCESS * 2 - 1
    assert parallel.chunk_ranges(count, 4) == [(0, count)]


def test_map_chunks_keeps_chunk_order(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_MERCHANTS_PER_PROCESS", 1)
    results = parallel.map_chunks(lambda first, end: list(range(first, end)), 7, 3)

    assert [value for part in results for value in part] == list(range(7))
    assert worker_processes() == []


def test_split_builders_do_not_change_data(small_dataset, tmp_path, monkeypatch):
    # Small chunks, so that a 300-merchant dataset is split three ways.
    monkeypatch.setattr(parallel, "MIN_MERCHANTS_PER_PROCESS", 50)
    out = tmp_path / "split.duckdb"
    again = generate_like(small_dataset, out, workers=3)

    assert fingerprint(again.out) == fingerprint(small_dataset.path)
    assert fingerprint(again.answers) == fingerprint(small_dataset.answers)


def test_failing_chunk_keeps_dataset(small_dataset, tmp_path, monkeypatch):
    out = tmp_path / "merchants.duckdb"
    generate_like(small_dataset, out, workers=1)
    before = snapshot(tmp_path)
    merchant_answers = support._merchant_answers

    def fail_late_merchants(config, merchant, *args):
        if merchant.merchant_id - MERCHANT_ID_OFFSET > 150:
            raise RuntimeError("survey answers failed")
        return merchant_answers(config, merchant, *args)

    # The chunk processes are forked after the patch, so they inherit it.
    monkeypatch.setattr(support, "_merchant_answers", fail_late_merchants)
    monkeypatch.setattr(parallel, "MIN_MERCHANTS_PER_PROCESS", 50)
    with pytest.raises(RuntimeError, match="survey answers failed"):
        generate_like(small_dataset, out, workers=3)

    assert snapshot(tmp_path) == before
    assert worker_processes() == []


def test_interrupt_in_chunk_stops_processes(small_dataset, tmp_path, monkeypatch):
    out = tmp_path / "merchants.duckdb"
    generate_like(small_dataset, out, workers=1)
    before = snapshot(tmp_path)
    merchant_answers = support._merchant_answers
    main_process = os.getpid()

    def interrupt_main_process(config, merchant, *args):
        # Ctrl-C stops the main process; the chunk processes ignore it.
        if os.getpid() == main_process:
            raise KeyboardInterrupt
        return merchant_answers(config, merchant, *args)

    monkeypatch.setattr(support, "_merchant_answers", interrupt_main_process)
    monkeypatch.setattr(parallel, "MIN_MERCHANTS_PER_PROCESS", 50)
    with pytest.raises(KeyboardInterrupt):
        generate_like(small_dataset, out, workers=3)

    assert snapshot(tmp_path) == before
    assert worker_processes() == []
