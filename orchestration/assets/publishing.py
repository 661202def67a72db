"""Publication: materialised only when everything upstream, blocking checks included, succeeded."""

from dagster import AssetExecutionContext, AssetKey, DagsterEventType, MaterializeResult, asset

from orchestration.assets.dbt import DbtBuildConfig, retention_dbt_models, run_vars
from retention_warehouse.publish import publish
from retention_warehouse.report import render_report
from retention_warehouse.settings import load_settings


def run_check_results(context: AssetExecutionContext) -> dict:
    """Every asset check evaluated so far in this run: counts and the failures, for the manifest and the report."""
    records = context.instance.get_records_for_run(
        run_id=context.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    results = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        results.append(
            {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "passed": bool(evaluation.passed),
                "severity": evaluation.severity.value,
            }
        )
    failed = [r for r in results if not r["passed"]]
    blocking_failed = [r for r in failed if r["severity"] == "ERROR"]
    return {
        "run_id": context.run_id,
        "checks_run": len(results),
        "checks_passed": len(results) - len(failed),
        "warnings": [f"{r['asset']}:{r['check']}" for r in failed if r["severity"] != "ERROR"],
        "status": "failed" if blocking_failed else ("warn" if failed else "passed"),
    }


@asset(
    deps=[retention_dbt_models],
    group_name="published",
    description="Read-only copy of the warehouse for people and BI tools, with Parquet exports and a manifest: "
    "$RW_WAREHOUSE_DIR/published/",
)
def published_warehouse(context: AssetExecutionContext) -> MaterializeResult:
    quality = run_check_results(context)
    dbt_config = context.run.run_config.get("ops", {}).get("retention_dbt_models", {}).get("config", {})
    manifest = publish(load_settings(), data_quality=quality, user_vars=run_vars(DbtBuildConfig(**dbt_config)))
    context.log.info(
        f"published {manifest['database']} (as of {manifest['as_of_date']}, {len(manifest['row_counts'])} "
        f"relations, checks {quality['checks_passed']}/{quality['checks_run']} passed)"
    )
    return MaterializeResult(
        metadata={
            "path": manifest["database"],
            "as_of_date": str(manifest["as_of_date"]),
            "relations": len(manifest["row_counts"]),
            "data_quality": quality["status"],
        }
    )


@asset(
    deps=[AssetKey("published_warehouse")],
    group_name="published",
    description="Self-contained HTML report of the headline charts: $RW_WAREHOUSE_DIR/published/report.html",
)
def published_report(context: AssetExecutionContext) -> MaterializeResult:
    settings = load_settings()
    path = render_report(
        settings.published_db_path, settings.published_dir / "manifest.json", settings.published_dir / "report.html"
    )
    context.log.info(f"report written to {path}")
    return MaterializeResult(metadata={"path": str(path)})
