"""Time a one-day incremental refresh against a full rebuild on a 100-day sample (a benchmark, not a test).

    python -m cli.bench_incremental [--users 5000] [--days 100]     (make bench-incremental)

Generates the sample into data/benchmark/ (its own landing folder and DuckDB file), loads days 1..N-1 and builds
every dbt model, then drops in day N's events file and times
  1. loading the new file (the other files are skipped by their content hash),
  2. `dbt build` (incremental models restate only what the new rows touch),
  3. `dbt build --full-refresh` (every model from the whole history),
printing the wall-clock time of each dbt build (dbt start-up and every data test included), the time dbt
spent building int_users_activity_days itself (from target/run_results.json), and the median of 5 runs of that
model's compiled SELECT alone, incremental and full (the part that scales with the data). Last, the whole job
(`python -m cli.run`) runs on the complete folder, and once more with nothing new: that second run's wall time
is what a scheduled refresh with no new file costs.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from retention_warehouse.ingestion import load_landing
from retention_warehouse.sample_data import SampleSpec, write_landing
from retention_warehouse.settings import REPO_ROOT

MODEL = "int_users_activity_days"


def _dbt_build(database: Path, *extra: str) -> tuple[float, float]:
    env = {**os.environ, "RW_DUCKDB_PATH": str(database), "RW_TIMEZONE": "UTC"}
    command = [sys.executable, "-m", "dbt.cli.main", "build", "--quiet", *extra]
    began = time.perf_counter()
    subprocess.run(
        [*command, "--project-dir", str(REPO_ROOT), "--profiles-dir", str(REPO_ROOT)],
        env=env,
        cwd=REPO_ROOT,
        check=True,
    )
    seconds = time.perf_counter() - began
    results = json.loads((REPO_ROOT / "target" / "run_results.json").read_text())["results"]
    model = next(r["execution_time"] for r in results if r["unique_id"].endswith(f".{MODEL}"))
    return seconds, model


def _compiled_select() -> str:
    return next((REPO_ROOT / "target" / "compiled").rglob(f"{MODEL}.sql")).read_text()


def _median_query_seconds(database: Path, sql: str, repeats: int = 5) -> float:
    times = []
    with duckdb.connect(str(database), read_only=True) as conn:
        conn.execute("set TimeZone = 'UTC'")
        for _ in range(repeats):
            began = time.perf_counter()
            conn.execute(f"select count(*) from ({sql}) as q").fetchone()
            times.append(time.perf_counter() - began)
    return statistics.median(times)


DEFAULT_ROOT = REPO_ROOT / "data" / "benchmark"


def run_benchmark(users: int = SampleSpec.users, days: int = 100, root: Path = DEFAULT_ROOT) -> int:
    """Generate, load and build the sample, then time the held-back day's refresh; prints the figures."""
    shutil.rmtree(root, ignore_errors=True)
    landing, pending = root / "landing", root / "pending"
    database = root / "retention.duckdb"  # the file name is the catalog name in compiled SQL
    counts = write_landing(SampleSpec(users=users, days=days), landing)
    last_day = sorted((landing / "events").glob("events_*.parquet"))[-1]
    pending.mkdir(parents=True)
    shutil.move(last_day, pending / last_day.name)
    print(f"sample: {users:,} users x {days} days, {counts['events']:,} events; held back {last_day.name}")

    with duckdb.connect(str(database)) as conn:
        load_landing(conn, landing)
    _dbt_build(database)  # the history up to day N-1
    with duckdb.connect(str(database), read_only=True) as conn:
        days_rows = conn.execute(f"select count(*) from intermediate.{MODEL}").fetchone()[0]

    shutil.move(pending / last_day.name, landing / "events" / last_day.name)
    began = time.perf_counter()
    with duckdb.connect(str(database)) as conn:
        loads = load_landing(conn, landing)
    load_seconds = time.perf_counter() - began
    new_rows = sum(x.rows_accepted for x in loads if not x.skipped)
    incremental, incremental_model = _dbt_build(database)
    incremental_sql = _compiled_select()
    full, full_model = _dbt_build(database, "--full-refresh")
    full_sql = _compiled_select()
    assert incremental_sql != full_sql, "the incremental build did not compile the restatement filter"
    incremental_query = _median_query_seconds(database, incremental_sql)
    full_query = _median_query_seconds(database, full_sql)

    print(f"{MODEL}: {days_rows:,} user-days before the new day; new day's file: {new_rows:,} events")
    print(f"load the new day's file (other files skipped)   {load_seconds:6.2f} s")
    print(
        f"dbt build, incremental (the touched user-days)  {incremental:6.2f} s   ({MODEL}: {incremental_model:.2f} s)"
    )
    print(f"dbt build --full-refresh (all {days} days)          {full:6.2f} s   ({MODEL}: {full_model:.2f} s)")
    print(f"{MODEL} SELECT only, median of 5: incremental {incremental_query:.3f} s, full {full_query:.3f} s")
    job, nothing_new = _job_seconds(landing, root / "job"), _job_seconds(landing, root / "job")
    print(f"whole job (load, dbt, checks, publish)           {job:6.2f} s")
    print(f"whole job again, nothing new                     {nothing_new:6.2f} s")
    return 0


def _job_seconds(landing: Path, warehouse: Path) -> float:
    env = {**os.environ, "RW_LANDING_DIR": str(landing), "RW_WAREHOUSE_DIR": str(warehouse), "RW_TIMEZONE": "UTC"}
    for name in ("RW_DUCKDB_PATH", "DAGSTER_HOME"):
        env.pop(name, None)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cli.run"], env=env, cwd=REPO_ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began
