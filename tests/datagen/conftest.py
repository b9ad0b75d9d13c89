"""Fixtures for the generator tests: datasets generated once per session."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import datagen

SMALL = 300
AS_OF = date(2026, 6, 30)


@dataclass(frozen=True)
class Dataset:
    """A generated dataset file, its answer key and the generation summary."""

    summary: datagen.Summary

    @property
    def path(self) -> Path:
        return self.summary.out

    @property
    def answers(self) -> Path:
        return self.summary.answers

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path), read_only=True)

    def query(self, sql: str, parameters: list | None = None) -> pd.DataFrame:
        with self.connect() as connection:
            return connection.execute(sql, parameters).df(date_as_object=True)

    def planted(self, scenario: str) -> pd.DataFrame:
        """Return the answer-key rows of one scenario, with details parsed."""
        with duckdb.connect(str(self.answers), read_only=True) as connection:
            rows = connection.execute(
                "SELECT * FROM planted WHERE scenario = ? ORDER BY merchant_id",
                [scenario],
            ).df(date_as_object=True)
        rows["details"] = rows["details"].map(json.loads)
        return rows

    def tracking_break(self) -> dict:
        with duckdb.connect(str(self.answers), read_only=True) as connection:
            frame = connection.execute("SELECT * FROM tracking_break").df(
                date_as_object=True
            )
        return frame.iloc[0].to_dict()


@pytest.fixture(scope="session")
def build_dataset(tmp_path_factory):
    """Return a function that generates a dataset once per argument set."""
    built: dict[tuple, Dataset] = {}

    def build(
        seed: int = 42,
        merchants: int = SMALL,
        as_of: date = AS_OF,
        history_days: int = 400,
    ) -> Dataset:
        key = (seed, merchants, as_of, history_days)
        if key not in built:
            folder = tmp_path_factory.mktemp(
                f"datagen-s{seed}-m{merchants}-h{history_days}"
            )
            summary = datagen.generate(
                folder / "merchants.duckdb",
                seed=seed,
                merchants=merchants,
                as_of=as_of,
                history_days=history_days,
            )
            built[key] = Dataset(summary)
        return built[key]

    return build


@pytest.fixture(scope="session")
def small_dataset(build_dataset) -> Dataset:
    """Seed 42 at 300 merchants, the default as-of date and history."""
    return build_dataset()
