"""Every dbt model, seed and test as Dagster assets and checks."""

import os
import subprocess

from dagster import AssetExecutionContext, Config
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.project import retention_project
from orchestration.resources import dbt_resource
from orchestration.settings import REPO_ROOT, export_for_dbt, load_settings
from orchestration.translator import RetentionDbtTranslator


class DbtBuildConfig(Config):
    """`full_refresh` rebuilds incremental models from the whole raw history (the `full_refresh` job sets it)."""

    full_refresh: bool = False


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    # On Spark the dbt unit tests (fixtures typed for DuckDB) are left to the DuckDB build.
    return [*args, "--exclude-resource-type", "unit_test"] if spark_engine() else args


DBT_EXECUTABLE = dbt_resource.dbt_executable


def spark_engine() -> bool:
    """RW_ENGINE=spark builds the models with the `spark` output of profiles.yml."""
    return os.environ.get("RW_ENGINE", "duckdb") == "spark"


def export_raw_for_spark(context: AssetExecutionContext) -> None:
    """Spark reads the raw layer as Parquet, exported from the work DuckDB file the ingestion wrote."""
    from orchestration.parquet_export import default_parquet_dir, export_raw

    out_dir = default_parquet_dir()
    os.environ["RW_PARQUET_DIR"] = str(out_dir)
    counts = export_raw(load_settings().work_db_path, out_dir)
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
    export_for_dbt(load_settings())
    if spark_engine():
        export_raw_for_spark(context)
    yield from dbt.cli(dbt_build_args(config), context=context).stream()
