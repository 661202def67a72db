"""Every public model (models/marts) is fully documented and every one of its columns is tested (dbt-coverage)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from retention_warehouse.settings import REPO_ROOT

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def artifacts(sample_warehouse, tmp_path_factory) -> Path:
    """manifest.json and catalog.json of the sample build (the catalog needs the built tables)."""
    target = tmp_path_factory.mktemp("dbt_target")
    env = {**os.environ, "RW_DUCKDB_PATH": str(sample_warehouse["warehouse"] / "work" / "retention.duckdb")}
    subprocess.run(
        [
            str(BIN / "dbt"),
            "docs",
            "generate",
            "--project-dir",
            str(REPO_ROOT),
            "--profiles-dir",
            str(REPO_ROOT),
            "--target-path",
            str(target),
            "--quiet",
        ],
        check=True,
        cwd=REPO_ROOT,
        env=env,
    )
    return target


@pytest.mark.parametrize("coverage", ["doc", "test"])
def test_public_models_have_full_coverage(artifacts, coverage, tmp_path):
    report = tmp_path / f"{coverage}.json"
    result = subprocess.run(
        [
            str(BIN / "dbt-coverage"),
            "compute",
            coverage,
            "--project-dir",
            str(REPO_ROOT),
            "--run-artifacts-dir",
            str(artifacts),
            "--model-path-filter",
            "models/marts",
            "--cov-report",
            str(report),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    uncovered = [
        f"{table['name']}.{column['name']}"
        for table in data["tables"]
        for column in table["columns"]
        if not column["covered"]
    ]
    assert data["tables"], "no public model found"
    assert uncovered == [], f"{coverage} coverage below 100%: {uncovered}"
