"""Fixtures shared by the whole suite: generated datasets, cached per session."""

import datetime as dt
import resource
from pathlib import Path

import pytest

DEFAULT_SEED = 42
DEFAULT_SIZE = 1000
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="session")
def make_dataset(tmp_path_factory):
    """Return a function that generates (once per session) a dataset file.

    Call it as ``make_dataset(seed=1, merchants=300)``; the same arguments
    return the same path without generating again.
    """
    import datagen

    built: dict[tuple, Path] = {}
    root = tmp_path_factory.mktemp("datasets")

    def build(seed: int = DEFAULT_SEED, merchants: int = DEFAULT_SIZE) -> Path:
        key = (seed, merchants)
        if key not in built:
            out = root / f"seed{seed}-m{merchants}" / "merchants.duckdb"
            out.parent.mkdir(parents=True)
            datagen.generate(out, seed=seed, merchants=merchants, as_of=AS_OF)
            built[key] = out
        return built[key]

    return build


@pytest.fixture(scope="session")
def default_dataset(make_dataset) -> Path:
    """The dataset `make lab` builds: seed 42, 1,000 merchants."""
    return make_dataset()


@pytest.fixture(scope="session")
def cap_files():
    """Return ``cap``, where ``cap(n)`` is a function that caps file sizes at n bytes.

    Called in a process, or passed as a subprocess's ``preexec_fn``, it
    makes each write past ``n`` bytes fail with "File too large", as a full
    disk fails with "No space left on device". Python ignores the SIGXFSZ
    signal that would otherwise end the process.
    """

    def cap(max_bytes: int):
        def apply() -> None:
            hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
            resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, hard))

        return apply

    return cap
