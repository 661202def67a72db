"""The dbt project, built once for Dagster (dagster-open-platform style)."""

from __future__ import annotations

import os

from dagster_dbt import DbtProject

from orchestration.settings import REPO_ROOT

retention_project = DbtProject(
    project_dir=REPO_ROOT,
    profiles_dir=REPO_ROOT,
    target=os.environ.get("RW_ENGINE", "duckdb"),
)
# Under `dagster dev` this parses the project; elsewhere run `make manifest` (the Makefile does it first).
retention_project.prepare_if_dev()
