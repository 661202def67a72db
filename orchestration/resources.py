"""Dagster resources: the dbt CLI of this virtual environment, pointed at the one dbt project."""

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.project import retention_project

# The dbt of this environment, so that runs work without activating it. sys.prefix, not sys.executable: the code
# server that `dagster dev` starts may report the base interpreter's path while using this environment.
DBT_EXECUTABLE = Path(sys.prefix) / "bin" / "dbt"

dbt_resource = DbtCliResource(
    project_dir=retention_project,
    dbt_executable=str(DBT_EXECUTABLE) if DBT_EXECUTABLE.exists() else (shutil.which("dbt") or "dbt"),
)
