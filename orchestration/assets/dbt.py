"""Every dbt model, seed and test as Dagster assets and checks."""

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.project import retention_project
from orchestration.settings import export_for_dbt, load_settings
from orchestration.translator import RetentionDbtTranslator


@dbt_assets(
    manifest=retention_project.manifest_path,
    dagster_dbt_translator=RetentionDbtTranslator(),
    project=retention_project,
)
def retention_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
    export_for_dbt(load_settings())
    yield from dbt.cli(["build"], context=context).stream()
