"""The published warehouse: materialised only when everything upstream, blocking checks included, succeeded."""

from dagster import AssetExecutionContext, MaterializeResult, asset

from orchestration.assets.dbt import retention_dbt_models
from orchestration.publish import publish
from orchestration.settings import load_settings


@asset(
    deps=[retention_dbt_models],
    group_name="published",
    description="Read-only copy of the warehouse for users and BI tools: $RW_WAREHOUSE_DIR/published/retention.duckdb",
)
def published_warehouse(context: AssetExecutionContext) -> MaterializeResult:
    manifest = publish(load_settings())
    context.log.info(f"published {manifest['database']} (as of {manifest['as_of_date']})")
    return MaterializeResult(
        metadata={
            "path": manifest["database"],
            "as_of_date": str(manifest["as_of_date"]),
            **{f"rows {k}": v for k, v in manifest["row_counts"].items()},
        }
    )
