"""Blocking data-quality checks: the GX suites of every layer, and reconciliation of the load audit.

A failed blocking (ERROR) check stops everything downstream, publication included, so the published file keeps
the previous good version. Every result is recorded in quality.dq_results (orchestration/checks/results.py).
"""

from collections.abc import Callable

import duckdb
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from expectations import marts, raw, staging
from expectations.runner import read_query, validate_frame
from orchestration.translator import raw_table_key
from retention_warehouse.settings import load_settings


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
        max_rows = settings.gx_max_rows
        frame = read_query(settings.work_db_path, rows_sql or f"select * from {relation}", max_rows=max_rows)
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
                "sampled": outcome.rows >= max_rows,  # a reservoir sample of RW_GX_MAX_ROWS rows
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


ANOMALY_SQL = """
select metric_name, metric_date, metric_value, trailing_mean, history_days, z_score
from marts.fct_metric_anomalies
order by metric_name
"""


def find_anomalies(rows: list[tuple], sigma: float, min_history: int = 14) -> list[str]:
    """rows: (metric_name, metric_date, metric_value, trailing_mean, history_days, z_score), as
    marts.fct_metric_anomalies holds them -> one line per metric further than sigma from its trailing mean."""
    outliers = []
    for metric, day, value, mean, days, z in rows:
        if z is None or days < min_history:
            continue  # too little history to judge (or no spread to judge against)
        if abs(z) > sigma:
            outliers.append(f"{metric} on {day}: {value:.4g} vs trailing mean {mean:.4g} (z = {z:+.1f})")
    return outliers


@asset_check(
    asset=AssetKey(["fct_metric_anomalies"]),
    name="anomaly_d1_d7_dau",
    blocking=False,
    description="Warns when the latest D1, D7 retention or DAU is more than RW_ANOMALY_SIGMA (default 3) "
    "standard deviations from its trailing 8 weeks (marts.fct_metric_anomalies scores them).",
)
def anomaly_d1_d7_dau(context: AssetCheckExecutionContext) -> AssetCheckResult:
    settings = load_settings()
    sigma = settings.anomaly_sigma
    with duckdb.connect(str(settings.work_db_path), read_only=True) as conn:
        rows = conn.execute(ANOMALY_SQL).fetchall()
    outliers = find_anomalies(rows, sigma)
    for line in outliers:
        context.log.warning(f"anomaly: {line}")
    return AssetCheckResult(
        passed=not outliers,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "observed_value": "; ".join(outliers) or f"{len(rows)} series within {sigma} sd",
            "expected": f"|z| <= {sigma} against the trailing 56 days",
        },
    )


quality_checks.append(anomaly_d1_d7_dau)


DEFINITION_COVERAGE_SQL = """
select definition_kind, definition_name, part, waits_for, matched_events, coverage
from marts.fct_definition_coverage
where matches_nothing
order by definition_kind, definition_name, part_number
"""


def unmatched_definitions(rows: list[tuple]) -> list[str]:
    """rows: (definition_kind, definition_name, part, waits_for, matched_events, coverage) of the parts of
    marts.fct_definition_coverage that match nothing -> one line per part, naming what it waited for."""
    lines = []
    for kind, name, part, waits_for, _, coverage in rows:
        kind_name = "funnel" if kind == "funnel" else "retention definition"
        if coverage is not None:
            lines.append(f"{kind_name} {name}: {part} is on none of {waits_for.removeprefix('the ')}")
        else:
            lines.append(f"{kind_name} {name}: {part} matched no event; it waits for {waits_for}")
    return lines


@asset_check(
    asset=AssetKey(["fct_definition_coverage"]),
    name="definitions_match_events",
    blocking=False,
    description="Warns, naming them, about each funnel step and retention definition that matches no event of the "
    "data, and each held property found on none of its funnel's step events (marts.fct_definition_coverage).",
)
def definitions_match_events(context: AssetCheckExecutionContext) -> AssetCheckResult:
    with duckdb.connect(str(load_settings().work_db_path), read_only=True) as conn:
        lines = unmatched_definitions(conn.execute(DEFINITION_COVERAGE_SQL).fetchall())
        parts = conn.execute("select count(*) from marts.fct_definition_coverage").fetchone()[0]
    for line in lines:
        context.log.warning(line)
    return AssetCheckResult(
        passed=not lines,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "observed_value": "; ".join(lines) or f"all {parts} parts of the definitions match events",
            "expected": "every funnel step and retention definition matches at least one event",
        },
    )


quality_checks.append(definitions_match_events)
