"""Shared fixtures: a throwaway landing folder and warehouse, and a way to run the real Dagster job into them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


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
    """Run `python -m orchestration.run` in this process against the workspace; returns its exit code."""
    from orchestration.run import main

    return lambda: main([])
