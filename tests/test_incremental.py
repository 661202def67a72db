"""An incremental refresh after one more day's file gives the same int_users_activity_days as a full rebuild."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb

from retention_warehouse.ingestion import load_landing
from retention_warehouse.settings import REPO_ROOT

MODEL = "int_users_activity_days"


def _dbt(database: Path, *args: str) -> None:
    env = {**os.environ, "RW_DUCKDB_PATH": str(database), "RW_TIMEZONE": "UTC"}
    env.pop("RW_ID_SALT", None)  # the sample warehouse was built with the default salt
    # Its own target path: the shared target/ holds the manifest that Dagster and MetricFlow read.
    target = database.parent / "dbt_target"
    command = [
        sys.executable,
        "-m",
        "dbt.cli.main",
        *args,
        "--project-dir",
        str(REPO_ROOT),
        "--target-path",
        str(target),
    ]
    result = subprocess.run(
        [*command, "--profiles-dir", str(REPO_ROOT), "--quiet"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _rows(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(f"select * from intermediate.{MODEL} order by all").fetchall()


def test_incremental_refresh_after_a_new_day_equals_a_full_rebuild(sample_warehouse, tmp_path):
    database = tmp_path / "retention.duckdb"  # the file name is the catalog name in compiled SQL
    shutil.copyfile(sample_warehouse["warehouse"] / "work" / "retention.duckdb", database)
    before = _rows(database)
    landing = tmp_path / "landing"
    (landing / "events").mkdir(parents=True)
    with duckdb.connect(str(database)) as conn:
        last = conn.execute(f"select max(activity_date) from intermediate.{MODEL}").fetchone()[0]
        # The next day's file: the last day's events again, one day later, under new ids; plus late events dated
        # 20 days before the last day, copied from the day before that.
        conn.execute(
            f"""
            copy (
                select 'n' || event_id as event_id, user_id, event_name,
                       event_at + interval 1 day as event_time
                from raw.events where cast(event_at as date) = date '{last}'
                union all
                select 'late' || event_id, user_id, event_name, event_at + interval 1 day
                from raw.events where cast(event_at as date) = date '{last - timedelta(days=21)}'
            ) to '{landing / "events" / "next_day.parquet"}' (format parquet)
            """
        )
        [load] = load_landing(conn, landing)
    assert load.rows_accepted > 100 and load.rows_quarantined == 0

    # Both incremental models: the staged events (append-only) and the activity days.
    _dbt(database, "run", "--select", "stg_app__events", MODEL)  # incremental: the tables exist
    incremental = _rows(database)
    _dbt(database, "run", "--select", "stg_app__events", MODEL, "--full-refresh")
    full = _rows(database)

    assert incremental == full
    # the refresh picked up the new data: a new last day, and changed counts 20 days before the old last day
    assert max(row[1] for row in full) == last + timedelta(days=1)
    late_day = last - timedelta(days=20)
    assert [r for r in before if r[1] == late_day] != [r for r in full if r[1] == late_day]
    assert [r for r in before if r[1] < late_day - timedelta(days=1)] == [
        r for r in full if r[1] < late_day - timedelta(days=1)
    ]
