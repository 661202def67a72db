"""Dagster resources: the dbt CLI of this virtual environment, pointed at the one dbt project."""

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.project import retention_project

# The dbt next to this interpreter, so that runs work without activating the virtual environment.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

dbt_resource = DbtCliResource(
    project_dir=retention_project,
    dbt_executable=str(DBT_EXECUTABLE) if DBT_EXECUTABLE.exists() else "dbt",
)
