"""Every dbt model, seed and test as Dagster assets and checks."""

import subprocess

from dagster import AssetCheckResult, AssetExecutionContext, Config
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.project import retention_project
from orchestration.resources import dbt_resource
from orchestration.translator import RetentionDbtTranslator
from retention_warehouse import progress
from retention_warehouse.build_state import already_published
from retention_warehouse.export_formats import full_rebuild_note, restated_anonymous_ids
from retention_warehouse.parquet_export import export_raw
from retention_warehouse.settings import REPO_ROOT, export_for_dbt, load_settings
from retention_warehouse.user_config import dbt_vars_args, load_user_vars, parse_vars


class DbtBuildConfig(Config):
    """`full_refresh` rebuilds incremental models from the whole raw history (the `full_refresh` job sets it).
    `vars`: dbt vars as YAML, replacing the user's configuration file ($RW_CONFIG, warehouse.yml) for this run."""

    full_refresh: bool = False
    vars: str = ""


def run_vars(config: DbtBuildConfig) -> dict:
    """The dbt vars of this run: the launchpad's `vars` when given, else the user's configuration file."""
    if config.vars.strip():
        return parse_vars(config.vars, "run config ops.retention_dbt_models.config.vars")
    return load_user_vars(load_settings().config_path)


def dbt_build_args(
    config: DbtBuildConfig, user_vars: dict | None = None, full_refresh: bool | None = None
) -> list[str]:
    """`full_refresh` overrides the config's (a refresh that identity links turn into a full build)."""
    full = config.full_refresh if full_refresh is None else full_refresh
    args = ["build", "--full-refresh"] if full else ["build"]
    args += dbt_vars_args(user_vars or {})
    # The dbt unit tests (hand-worked rows, docs in the models' yml) test the code, not the data: `make test` runs
    # them (tests/test_end_to_end.py), a refresh does not.
    return [*args, "--exclude-resource-type", "unit_test"]


DBT_EXECUTABLE = dbt_resource.dbt_executable


def export_raw_for_spark(context: AssetExecutionContext) -> None:
    """Spark reads the raw layer as Parquet (RW_PARQUET_DIR, exported for dbt), from the work DuckDB file."""
    settings = load_settings()
    out_dir = settings.raw_parquet_dir
    counts = export_raw(settings.work_db_path, out_dir)
    context.log.info(f"raw layer exported to Parquet for Spark: {out_dir} ({sum(counts.values())} rows)")
    subprocess.run(
        [DBT_EXECUTABLE, "run-operation", "register_raw_parquet", "--project-dir", str(REPO_ROOT)]
        + ["--profiles-dir", str(REPO_ROOT)],
        check=True,
        cwd=REPO_ROOT,
    )


@dbt_assets(
    manifest=retention_project.manifest_path,
    dagster_dbt_translator=RetentionDbtTranslator(),
    project=retention_project,
)
def retention_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    settings = load_settings()
    user_vars = run_vars(config)
    if user_vars:
        context.log.info(f"dbt vars of this run: {', '.join(sorted(user_vars))} (from {settings.config_path})")
    if not config.full_refresh and already_published(settings, user_vars):
        # Nothing yielded: the optional dbt outputs are skipped, and so are the checks and the publication.
        context.log.info(
            "Nothing new since the last published build (same raw loads, project and settings): no dbt work."
        )
        return
    full_refresh = config.full_refresh
    # An anonymous id linked to a user after its events were built: appending cannot restate those events, a full
    # build does (docs/data_contract.md#identity). On Spark the staged events are not in the DuckDB file: run the
    # full_refresh job after such a delivery.
    restated = 0 if full_refresh or settings.spark_engine else restated_anonymous_ids(settings.work_db_path)
    if restated:
        full_refresh = True
        context.log.warning(full_rebuild_note(restated))
        progress.note(full_rebuild_note(restated))
    export_for_dbt(settings)
    if settings.spark_engine:
        export_raw_for_spark(context)
    timer, built, tested = progress.Timer(), 0, 0
    nodes = len(context.selected_asset_keys) + len(context.selected_asset_check_keys)
    for event in dbt.cli(dbt_build_args(config, user_vars, full_refresh), context=context).stream():
        if isinstance(event, AssetCheckResult):
            tested += 1
        else:
            built += 1
        progress.bar("dbt build", built + tested, nodes)
        yield event
    progress.step("dbt build", timer.seconds, f"{built:,} models and seeds built, {tested:,} data tests run")
