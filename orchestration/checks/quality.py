"""Blocking data-quality checks: the GX suites of every layer, and reconciliation of the load audit.

A failed blocking (ERROR) check stops everything downstream, publication included, so the published file keeps
the previous good version. Every result is recorded in quality.dq_results (orchestration/checks/results.py).
"""

from collections.abc import Callable

import duckdb
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from expectations import marts, raw, staging
from expectations.runner import read_query, validate_frame
from orchestration.settings import load_settings
from orchestration.translator import raw_table_key


def asset_key_for(relation: str) -> AssetKey:
    schema, table = relation.split(".")
    return raw_table_key(table) if schema == "raw" else AssetKey([table])


def _suite_check(relation: str, expectations: Callable, rows_sql: str | None):
    name = f"gx_{relation.split('.')[1]}"

    @asset_check(
        asset=asset_key_for(relation),
        name=name,
        blocking=True,
        description=f"Great Expectations suite on {relation} (expectations/{relation.split('.')[0]}.py)",
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        settings = load_settings()
        frame = read_query(settings.work_db_path, rows_sql or f"select * from {relation}")
        outcome = validate_frame(relation, frame, expectations, docs_root=settings.quality_dir)
        for failure in outcome.failures:
            context.log.error(
                f"{relation}: {failure.expectation}({failure.column}) failed, observed {failure.observed}"
            )
        return AssetCheckResult(
            passed=outcome.success,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "rows_checked": outcome.rows,
                "expectations": len(outcome.outcomes),
                "observed_value": "; ".join(f"{f.expectation}({f.column}): {f.observed}" for f in outcome.failures)
                or f"{len(outcome.outcomes)} expectations met on {outcome.rows} rows",
                "expected": ", ".join(f"{o.expectation}({o.column})" for o in outcome.outcomes),
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
        metadata={
            "files": files,
            "observed_value": f"{len(broken)} of {files} files unreconciled",
            "expected": "rows_read = rows_accepted + rows_quarantined + rows_duplicate for every file",
        },
    )


def _all_suites() -> list[tuple[str, Callable, str | None]]:
    suites = [(relation, factory, raw.ROWS.get(relation)) for relation, factory in raw.SUITES.items()]
    suites += [(relation, factory, staging.ROWS.get(relation)) for relation, factory in staging.SUITES.items()]
    suites += [(f"marts.{model}", factory, None) for model, factory in marts.SUITES.items()]
    return suites


quality_checks = [*(_suite_check(*suite) for suite in _all_suites()), load_reconciles]
