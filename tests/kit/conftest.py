"""Fixtures that point the kit at a small fixture project in tmp_path."""

import pytest
from kit_project import project_environment, write_dataset, write_project

from kit import db, reference


@pytest.fixture(scope="session")
def fixture_dataset(tmp_path_factory):
    """The fixture dataset, written once per session for projects to copy."""
    return write_dataset(tmp_path_factory.mktemp("dataset") / "merchants.duckdb")


@pytest.fixture
def project(tmp_path, monkeypatch, fixture_dataset):
    """A fixture project, with the kit's environment pointing at it."""
    root = write_project(tmp_path / "project", dataset=fixture_dataset)
    for name, value in project_environment(root).items():
        monkeypatch.setenv(name, value)
    for name in ("KIT_STRICT", "KIT_RESULTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield root
    db.close_all()
    reference.clear_cache()
