"""Recording a check's result never fails silently: a small Dagster job with the refresh jobs' hooks (dq_hooks)."""

from __future__ import annotations

import duckdb
from dagster import (
    AssetCheckResult,
    AssetSelection,
    DagsterEventType,
    DagsterInstance,
    Definitions,
    asset,
    asset_check,
    define_asset_job,
    in_process_executor,
)

from orchestration.checks.results import dq_hooks, unrecorded_results
from retention_warehouse.settings import load_settings


@asset
def deliveries() -> int:
    return 3


@asset_check(asset=deliveries, blocking=True)
def deliveries_reconcile() -> AssetCheckResult:
    return AssetCheckResult(passed=True, metadata={"observed_value": "3 files", "expected": "3 files"})


@asset_check(asset=deliveries, blocking=True)
def deliveries_fresh() -> AssetCheckResult:
    return AssetCheckResult(passed=False, metadata={"observed_value": "2 days old", "expected": "1 day"})


JOB = define_asset_job("checked", selection=AssetSelection.all(), executor_def=in_process_executor, hooks=dq_hooks)
DEFS = Definitions(assets=[deliveries], asset_checks=[deliveries_reconcile, deliveries_fresh], jobs=[JOB])


def _run(tmp_path, monkeypatch):
    monkeypatch.setenv("RW_WAREHOUSE_DIR", str(tmp_path / "wh"))
    instance = DagsterInstance.ephemeral()
    result = DEFS.resolve_job_def("checked").execute_in_process(instance=instance, raise_on_error=False)
    return instance, result, load_settings().work_db_path


def test_every_check_result_is_recorded(tmp_path, monkeypatch):
    instance, result, db_path = _run(tmp_path, monkeypatch)
    assert not [e for e in result.all_events if e.event_type == DagsterEventType.HOOK_ERRORED]
    with duckdb.connect(str(db_path), read_only=True) as conn:
        rows = conn.execute(
            "select asset, check_name, passed, observed_value, expected from quality.dq_results where run_id = ? "
            "order by check_name",
            [result.run_id],
        ).fetchall()
    assert rows == [
        ("deliveries", "deliveries_fresh", False, "2 days old", "1 day"),
        ("deliveries", "deliveries_reconcile", True, "3 files", "3 files"),
    ]
    assert unrecorded_results(instance, result.run_id, db_path) is None


def test_a_result_that_cannot_be_written_is_an_error_and_stops_the_publication(tmp_path, monkeypatch):
    work = tmp_path / "wh" / "work" / "retention.duckdb"
    work.mkdir(parents=True)  # a folder where the working file should be: DuckDB cannot open it
    instance, result, db_path = _run(tmp_path, monkeypatch)
    errors = [e for e in result.all_events if e.event_type == DagsterEventType.HOOK_ERRORED]
    assert errors, "the hook failed without a word"
    problem = unrecorded_results(instance, result.run_id, db_path)
    assert problem is not None and "none of the 2 check results" in problem and result.run_id in problem
