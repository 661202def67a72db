"""Publication: materialised only when everything upstream, blocking checks included, succeeded.

The database, Parquet exports, Data Docs, manifest and report are one version (retention_warehouse/publish.py), so
one step materialises both assets and switches the published version last."""

from pathlib import Path

from dagster import AssetExecutionContext, AssetSpec, DagsterEventType, Failure, MaterializeResult, multi_asset

from orchestration.assets.dbt import DbtBuildConfig, retention_dbt_models, run_vars
from orchestration.checks.results import unrecorded_results
from retention_warehouse import progress
from retention_warehouse.publish import publish
from retention_warehouse.report import render_report
from retention_warehouse.settings import load_settings


def _observed(evaluation) -> str:
    """What a check found, as its metadata states it (our checks: observed_value; dbt tests: failures)."""
    metadata = {key: getattr(value, "value", value) for key, value in (evaluation.metadata or {}).items()}
    if "observed_value" in metadata:
        return str(metadata["observed_value"])
    if "dagster_dbt/failed_row_count" in metadata:
        return f"{metadata['dagster_dbt/failed_row_count']} failing rows"
    return evaluation.description or "failed"


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
                "observed": _observed(evaluation),
            }
        )
    failed = [r for r in results if not r["passed"]]
    blocking_failed = [r for r in failed if r["severity"] == "ERROR"]
    return {
        "run_id": context.run_id,
        "checks_run": len(results),
        "checks_passed": len(results) - len(failed),
        "warnings": [f"{r['asset']}:{r['check']}: {r['observed']}" for r in failed if r["severity"] != "ERROR"],
        "status": "failed" if blocking_failed else ("warn" if failed else "passed"),
    }


def check_step_seconds(context: AssetExecutionContext) -> tuple[int, float]:
    """The steps of this run that only checked (GX suites, reconciliation, anomalies...): how many, and their
    seconds in all (dbt's data tests run inside the dbt step)."""
    types = {DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
    types |= {DagsterEventType.ASSET_CHECK_EVALUATION, DagsterEventType.ASSET_MATERIALIZATION}
    began, ended, checked, materialized = {}, {}, set(), set()
    for entry in context.instance.all_logs(context.run_id, of_type=types):
        kind = entry.dagster_event.event_type
        if kind == DagsterEventType.STEP_START:
            began[entry.step_key] = entry.timestamp
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            checked.add(entry.step_key)
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            materialized.add(entry.step_key)
        else:
            ended[entry.step_key] = entry.timestamp
    steps = (checked - materialized) & began.keys() & ended.keys()
    return len(steps), sum(ended[step] - began[step] for step in steps)


@multi_asset(
    specs=[
        AssetSpec(
            "published_warehouse",
            deps=[retention_dbt_models],
            group_name="published",
            description="Read-only copy of the warehouse for people and BI tools, with Parquet exports, the Data "
            "Docs and a manifest: $RW_WAREHOUSE_DIR/published/",
        ),
        AssetSpec(
            "published_report",
            deps=[retention_dbt_models],
            group_name="published",
            description="Self-contained HTML report of the headline charts, $RW_WAREHOUSE_DIR/published/report.html, "
            "and beside it the whole at-risk list, at_risk_users.csv",
        ),
    ],
    can_subset=False,
)
def published_warehouse(context: AssetExecutionContext):
    """One step, so one version: the new version's folder gets the database, Parquet, Data Docs, manifest and the
    report rendered from that database and manifest, and only then does `published/current` switch to it."""
    timer, quality, settings = progress.Timer(), run_check_results(context), load_settings()
    check_steps, check_seconds = check_step_seconds(context)
    progress.step(
        "checks",
        check_seconds,
        f"{quality['checks_passed']:,}/{quality['checks_run']:,} passed ({check_steps} check steps, the dbt tests too)",
    )
    missing = unrecorded_results(context.instance, context.run_id, settings.work_db_path)
    if missing:
        raise Failure(description=f"Not published: {missing}.")

    def add_report(folder: Path, manifest: dict) -> None:
        render_report(folder / "retention.duckdb", folder / "manifest.json", folder / "report.html")

    dbt_config = context.run.run_config.get("ops", {}).get("retention_dbt_models", {}).get("config", {})
    user_vars = run_vars(DbtBuildConfig(**dbt_config))
    manifest = publish(settings, data_quality=quality, before_switch=add_report, user_vars=user_vars)
    progress.step("publish", timer.seconds, f"version {manifest['version']}, as of {manifest['as_of_date']}")
    context.log.info(
        f"published version {manifest['version']} at {settings.published_dir} (as of {manifest['as_of_date']}, "
        f"{len(manifest['row_counts'])} relations, checks {quality['checks_passed']}/{quality['checks_run']} passed)"
    )
    yield MaterializeResult(
        asset_key="published_warehouse",
        metadata={
            "path": manifest["database"],
            "version": manifest["version"],
            "as_of_date": str(manifest["as_of_date"]),
            "relations": len(manifest["row_counts"]),
            "data_quality": quality["status"],
        },
    )
    yield MaterializeResult(
        asset_key="published_report",
        metadata={"path": manifest["report"], "at_risk_list": manifest["at_risk_list"]},
    )
