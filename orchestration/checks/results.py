"""quality.dq_results: every check result of every run, dbt tests and GX suites alike, in the working warehouse.

A step hook on the refresh jobs copies the check evaluations each step emitted from Dagster's event log into the
table, on success and on failure, so a blocked run still records why. The table is published with the marts.

Recording never fails silently: a hook that cannot write logs why and raises (Dagster records the hook error, and
`python -m cli.run` reports the run as failed), and the publication first checks that every check result of the
run so far is in the table (`unrecorded_results`), so a run with a result missing fails before it publishes.
"""

from datetime import UTC, datetime
from pathlib import Path

import duckdb
from dagster import DagsterEventType, DagsterInstance, HookContext, failure_hook, success_hook

from retention_warehouse.settings import load_settings

DDL = """
create schema if not exists quality;
create table if not exists quality.dq_results (
    run_id varchar, checked_at timestamp, asset varchar, check_name varchar, severity varchar, passed boolean,
    observed_value varchar, expected varchar
)
"""


def _text(metadata: dict, key: str) -> str | None:
    value = metadata.get(key)
    return None if value is None else str(getattr(value, "value", value))


def step_check_results(instance: DagsterInstance, run_id: str, step_key: str | None) -> list[tuple]:
    records = instance.get_records_for_run(run_id=run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
    rows = []
    for record in records:
        entry = record.event_log_entry
        if step_key is not None and entry.step_key != step_key:
            continue
        evaluation = entry.dagster_event.event_specific_data
        metadata = dict(evaluation.metadata or {})
        rows.append(
            (
                run_id,
                datetime.fromtimestamp(entry.timestamp, UTC).replace(tzinfo=None),
                evaluation.asset_key.to_user_string(),
                evaluation.check_name,
                evaluation.severity.value.lower(),
                bool(evaluation.passed),
                _text(metadata, "observed_value") or evaluation.description or _text(metadata, "dagster_dbt/status"),
                _text(metadata, "expected"),
            )
        )
    return rows


def record(db_path: Path, rows: list[tuple]) -> None:
    if not rows:
        return
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(db_path)) as conn:
        conn.execute(DDL)
        conn.executemany("insert into quality.dq_results values (?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _record_step(context: HookContext) -> None:
    db_path = load_settings().work_db_path
    rows = step_check_results(context.instance, context.run_id, context.step_key)
    try:
        record(db_path, rows)
    except Exception as error:
        context.log.error(
            f"{len(rows)} check results of step {context.step_key} could not be written to quality.dq_results in "
            f"{db_path}: {error}; the run fails before publishing"
        )
        raise


def unrecorded_results(instance: DagsterInstance, run_id: str, db_path: Path) -> str | None:
    """Why the check results of the run so far are not all in quality.dq_results, or None when they are."""
    evaluated = len(step_check_results(instance, run_id, None))
    try:
        with duckdb.connect(str(db_path), read_only=True) as conn:
            recorded = conn.execute("select count(*) from quality.dq_results where run_id = ?", [run_id]).fetchone()[0]
    except duckdb.Error as error:  # no table yet: fine only when nothing was checked
        return (
            f"none of the {evaluated} check results of run {run_id} is in quality.dq_results ({error})"
            if evaluated
            else None
        )
    if recorded < evaluated:
        return (
            f"{evaluated - recorded} of {evaluated} check results of run {run_id} are not in quality.dq_results "
            f"({db_path}): a check-result hook could not write them (see its error in the run's log)"
        )
    return None


@success_hook(name="record_check_results_on_success")
def record_on_success(context: HookContext) -> None:
    _record_step(context)


@failure_hook(name="record_check_results_on_failure")
def record_on_failure(context: HookContext) -> None:
    _record_step(context)


dq_hooks = {record_on_success, record_on_failure}
