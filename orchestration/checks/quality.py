"""Blocking data-quality checks: GX suites on marts, reconciliation of the load audit.

A failed blocking check stops everything downstream, publication included, so the published file keeps the
previous good version.
"""

import duckdb
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from expectations.marts import SUITES
from expectations.runner import read_table, validate_frame
from orchestration.settings import load_settings
from orchestration.translator import raw_table_key


def _gx_check(model: str):
    @asset_check(
        asset=AssetKey([model]),
        name=f"gx_{model}",
        blocking=True,
        description=f"Great Expectations suite expectations/marts.py::{model}",
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        frame = read_table(load_settings().work_db_path, f"marts.{model}")
        outcome = validate_frame(model, frame, SUITES[model])
        for failure in outcome.failures:
            context.log.error(
                f"{model}: {failure.expectation} on {failure.column} failed (observed {failure.observed})"
            )
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "rows": outcome.rows,
                "expectations": len(outcome.outcomes),
                "failed": ", ".join(f"{f.expectation}({f.column})" for f in outcome.failures) or "none",
            },
        )

    return _check


@asset_check(
    asset=raw_table_key("raw_load_audit"),
    name="load_reconciles",
    blocking=True,
    description="Every file: rows_read = rows_accepted + rows_quarantined + rows_duplicate.",
)
def load_reconciles(context: AssetCheckExecutionContext) -> AssetCheckResult:
    with duckdb.connect(str(load_settings().work_db_path), read_only=True) as conn:
        broken = conn.execute(
            "select source_file, rows_read, rows_accepted, rows_quarantined, rows_duplicate from raw.raw_load_audit "
            "where rows_read <> rows_accepted + rows_quarantined + rows_duplicate"
        ).fetchall()
        files = conn.execute("select count(*) from raw.raw_load_audit").fetchone()[0]
    for row in broken:
        context.log.error(f"load audit does not reconcile: {row}")
    return AssetCheckResult(
        passed=not broken,
        severity=AssetCheckSeverity.ERROR,
        metadata={"files": files, "unreconciled_files": len(broken)},
    )


quality_checks = [*(_gx_check(model) for model in SUITES), load_reconciles]
