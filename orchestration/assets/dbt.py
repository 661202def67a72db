"""Every dbt model, seed and test as Dagster assets and checks."""

from dagster import AssetExecutionContext, Config
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.project import retention_project
from orchestration.settings import export_for_dbt, load_settings
from orchestration.translator import RetentionDbtTranslator


class DbtBuildConfig(Config):
    """`full_refresh` rebuilds incremental models from the whole raw history (the `full_refresh` job sets it)."""

    full_refresh: bool = False


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    return ["build", "--full-refresh"] if config.full_refresh else ["build"]


@dbt_assets(
    manifest=retention_project.manifest_path,
    dagster_dbt_translator=RetentionDbtTranslator(),
    project=retention_project,
)
def retention_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    export_for_dbt(load_settings())
    yield from dbt.cli(dbt_build_args(config), context=context).stream()
