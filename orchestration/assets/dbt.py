"""Every dbt model, seed and test as Dagster assets and checks."""

import subprocess

from dagster import AssetExecutionContext, Config
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.project import retention_project
from orchestration.resources import dbt_resource
from orchestration.translator import RetentionDbtTranslator
from retention_warehouse.build_state import build_state, published_state
from retention_warehouse.parquet_export import export_raw
from retention_warehouse.settings import REPO_ROOT, export_for_dbt, load_settings


class DbtBuildConfig(Config):
    """`full_refresh` rebuilds incremental models from the whole raw history (the `full_refresh` job sets it)."""

    full_refresh: bool = False


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
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
    if not config.full_refresh and build_state(settings) == published_state(settings):
        # Nothing yielded: the optional dbt outputs are skipped, and so are the checks and the publication.
        context.log.info(
            "Nothing new since the last published build (same raw loads, project and settings): no dbt work."
        )
        return
    export_for_dbt(settings)
    if settings.spark_engine:
        export_raw_for_spark(context)
    yield from dbt.cli(dbt_build_args(config), context=context).stream()
