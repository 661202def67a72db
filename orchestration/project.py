"""The dbt project, built once for Dagster (dagster-open-platform style)."""

from __future__ import annotations

from dagster_dbt import DbtProject

from retention_warehouse.settings import REPO_ROOT, load_settings

retention_project = DbtProject(
    project_dir=REPO_ROOT,
    profiles_dir=REPO_ROOT,
    target=load_settings().engine,  # RW_ENGINE
)
# Under `dagster dev` this parses the project; elsewhere run `make manifest` (the Makefile does it first).
retention_project.prepare_if_dev()
