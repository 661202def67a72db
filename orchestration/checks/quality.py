"""Blocking data-quality checks: the GX suites of every layer, and reconciliation of the load audit.

A failed blocking (ERROR) check stops everything downstream, publication included, so the published file keeps
the previous good version. Every result is recorded in quality.dq_results (orchestration/checks/results.py).
"""

import os
from collections.abc import Callable

import duckdb
from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetKey, asset_check

from expectations import marts, raw, staging
from expectations.runner import MAX_ROWS, read_query, validate_frame
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
        frame = read_query(settings.work_db_path, rows_sql or f"select * from {relation}", max_rows=MAX_ROWS)
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
                "sampled": outcome.rows >= MAX_ROWS,  # a reservoir sample of MAX_ROWS (RW_GX_MAX_ROWS) rows
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
with daily as (
    select 'dau' as metric, activity_date as day, count(*) * 1.0 as value
    from intermediate.int_users_activity_days group by 1, 2
    union all
    select 'd' || period_number || '_retention_rate', cohort_start, retention_rate
    from marts.fct_cohort_retention
    where retention_definition = 'activity' and grain = 'day' and breakdown_name = 'all'
      and retention_type = 'n_period' and period_number in (1, 7) and is_mature
),
latest as (select metric, max(day) as day from daily group by 1),
scored as (
    select latest.metric, latest.day,
           max(case when daily.day = latest.day then daily.value end) as value,
           avg(case when daily.day < latest.day then daily.value end) as trailing_mean,
           stddev_samp(case when daily.day < latest.day then daily.value end) as trailing_sd,
           count(case when daily.day < latest.day then 1 end) as trailing_days
    from latest join daily on daily.metric = latest.metric and daily.day between latest.day - 56 and latest.day
    group by 1, 2
)
select metric, day, value, trailing_mean, trailing_sd, trailing_days from scored order by 1
"""


def find_anomalies(rows: list[tuple], sigma: float, min_history: int = 14) -> list[str]:
    """rows: (metric, day, value, trailing_mean, trailing_sd, trailing_days) -> one line per outlier."""
    outliers = []
    for metric, day, value, mean, sd, days in rows:
        if value is None or mean is None or not sd or days < min_history:
            continue  # too little history to judge
        z = (value - mean) / sd
        if abs(z) > sigma:
            outliers.append(f"{metric} on {day}: {value:.4g} vs trailing mean {mean:.4g} (z = {z:+.1f})")
    return outliers


@asset_check(
    asset=AssetKey(["fct_cohort_retention"]),
    name="anomaly_d1_d7_dau",
    blocking=False,
    description="Warns when the latest D1, D7 retention or DAU is more than RW_ANOMALY_SIGMA (default 3) "
    "standard deviations from its trailing 8 weeks.",
)
def anomaly_d1_d7_dau(context: AssetCheckExecutionContext) -> AssetCheckResult:
    sigma = float(os.environ.get("RW_ANOMALY_SIGMA", "3"))
    with duckdb.connect(str(load_settings().work_db_path), read_only=True) as conn:
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
