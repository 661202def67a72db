"""Shared fixtures: a throwaway landing folder and warehouse, and a way to run the real Dagster job into them.

Two lanes: a test that uses one of INTEGRATION_FIXTURES (directly or through another fixture) runs the Dagster job
or a real dbt build, and is marked `integration` here (`make test-integration`); every other test is a unit test
(`make test-unit`, `pytest -m "not integration"`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

INTEGRATION_FIXTURES = {"sample_warehouse", "run_refresh", "workspace"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if INTEGRATION_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """RW_LANDING_DIR, RW_WAREHOUSE_DIR and DAGSTER_HOME under tmp_path, for this test only."""
    paths = {"landing": tmp_path / "landing", "warehouse": tmp_path / "wh", "dagster": tmp_path / "dagster"}
    paths["landing"].mkdir()
    paths["dagster"].mkdir()
    monkeypatch.setenv("RW_LANDING_DIR", str(paths["landing"]))
    monkeypatch.setenv("RW_WAREHOUSE_DIR", str(paths["warehouse"]))
    monkeypatch.setenv("DAGSTER_HOME", str(paths["dagster"]))
    monkeypatch.setenv("RW_TIMEZONE", "UTC")
    monkeypatch.delenv("RW_DUCKDB_PATH", raising=False)
    return paths


@pytest.fixture
def run_refresh(workspace: dict[str, Path]) -> Callable[[], int]:
    """Run `python -m cli.run` in this process against the workspace; returns its exit code."""
    from cli.run import main

    return lambda: main([])


SAMPLE_SPEC_FOR_TESTS = {"users": 1500, "days": 75, "seed": 3}


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The real job run once per test session on a small generated sample (SAMPLE_SPEC_FOR_TESTS).

    Tests that compare marts with an independent implementation read `published` (read-only) and the landing
    files under `landing`; they must not write to either.
    """
    from cli.run import main
    from retention_warehouse.sample_data import SampleSpec, write_landing

    root = tmp_path_factory.mktemp("sample_warehouse")
    paths = {"landing": root / "landing", "warehouse": root / "wh", "dagster": root / "dagster"}
    paths["dagster"].mkdir()
    write_landing(SampleSpec(**SAMPLE_SPEC_FOR_TESTS), paths["landing"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RW_LANDING_DIR", str(paths["landing"]))
        patch.setenv("RW_WAREHOUSE_DIR", str(paths["warehouse"]))
        patch.setenv("DAGSTER_HOME", str(paths["dagster"]))
        patch.setenv("RW_TIMEZONE", "UTC")
        patch.delenv("RW_DUCKDB_PATH", raising=False)
        assert main([]) == 0, "the refresh job failed on the generated sample"
    paths["published"] = paths["warehouse"] / "published" / "retention.duckdb"
    return paths
