"""Jobs. In-process execution keeps every writer to the DuckDB file in one process, one step at a time."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

from orchestration.checks.results import dq_hooks

retention_refresh = define_asset_job(
    name="retention_refresh",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    hooks=dq_hooks,
    description="Load new landing files, build and test every dbt model, run the quality checks, publish.",
)


# --- Full rebuild (docs/incremental.md) ---
full_refresh = define_asset_job(
    name="full_refresh",
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    config={"ops": {"retention_dbt_models": {"config": {"full_refresh": True}}}},
    description="Like retention_refresh, but every incremental dbt model is rebuilt from the whole raw history.",
)
