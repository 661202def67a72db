"""Dagster entry point: `dagster dev -m orchestration.definitions` (make dev)."""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets.dbt import retention_dbt_models
from orchestration.assets.ingestion import raw_landing_files
from orchestration.assets.publishing import published_warehouse
from orchestration.checks.quality import quality_checks
from orchestration.jobs import full_refresh, retention_refresh
from orchestration.resources import dbt_resource
from orchestration.schedules import daily_refresh, weekly_full_rebuild
from orchestration.sensors import landing_folder_sensor

defs = Definitions(
    assets=[raw_landing_files, retention_dbt_models, published_warehouse],
    asset_checks=quality_checks,
    jobs=[retention_refresh, full_refresh],
    schedules=[daily_refresh, weekly_full_rebuild],
    sensors=[landing_folder_sensor],
    resources={"dbt": dbt_resource},
)
