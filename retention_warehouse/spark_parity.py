"""`make test-spark` (docs/scaling.md): build the project on Spark and on DuckDB from one small sample and compare every
public model row by row.

    python -m cli.spark_parity [--users 300] [--days 30] [--workdir warehouse/spark_parity]

Steps: generate the sample into <workdir>/landing; load it into a fresh DuckDB file (retention_warehouse/ingestion.py);
`dbt build` on DuckDB; export the raw layer to Parquet (retention_warehouse/parquet_export.py); `dbt run-operation
register_raw_parquet` (the raw tables as external Parquet tables), `dbt seed` and `dbt run` on Spark (dbt-spark
method: session); then read each public model (access: public, the marts) from both engines, sort the rows and
compare them value by value: floats within 1e-9 (absolute or relative), everything else exactly, NULL only equal
to NULL. Prints one line `spark parity: N models compared, M rows compared, ...` and exits 1 on any difference or
any model that did not build on Spark (listed with the reason).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from retention_warehouse.settings import REPO_ROOT

FLOAT_TOLERANCE = 1e-9


def run_dbt(args: list[str], env: dict[str, str], cwd: Path, target_path: Path) -> subprocess.CompletedProcess:
    command = [
        str(Path(sys.prefix) / "bin" / "dbt"),
        *args,
        "--project-dir",
        str(REPO_ROOT),
        "--profiles-dir",
        str(REPO_ROOT),
        "--target-path",
        str(target_path),
    ]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)


def public_models(manifest_path: Path) -> list[tuple[str, str]]:
    """(schema, alias) of every enabled public model."""
    manifest = json.loads(manifest_path.read_text())
    found = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node.get("access") == "public":
            found.append((node["schema"], node["alias"]))
    return sorted(found)


def run_results(path: Path) -> dict[str, tuple[str, str]]:
    """model name -> (status, message) of a dbt run_results.json."""
    if not path.exists():
        return {}
    results = json.loads(path.read_text())["results"]
    return {r["unique_id"].split(".")[-1]: (r["status"], (r.get("message") or "").strip()) for r in results}


def normalise(value):
    """One comparable Python value per cell, the same for both engines' drivers."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return normalise(value.item())
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    return value


def sort_key(row: tuple) -> tuple:
    # floats rounded so that rows equal within tolerance sort the same on both sides
    return tuple((0, "") if v is None else (1, f"{v:.6e}") if isinstance(v, float) else (2, str(v)) for v in row)


def values_equal(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)
    return a == b


def compare(name: str, columns: list[str], duck_rows: list[tuple], spark_rows: list[tuple]) -> str | None:
    """None when equal, else the first difference."""
    if len(duck_rows) != len(spark_rows):
        return f"{name}: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark"
    left = sorted((tuple(normalise(v) for v in r) for r in duck_rows), key=sort_key)
    right = sorted((tuple(normalise(v) for v in r) for r in spark_rows), key=sort_key)
    for number, (a, b) in enumerate(zip(left, right, strict=True)):
        for column, x, y in zip(columns, a, b, strict=True):
            if not values_equal(x, y):
                return f"{name}: sorted row {number}, column {column}: DuckDB {x!r}, Spark {y!r}"
    return None


DEFAULT_WORKDIR = REPO_ROOT / "warehouse" / "spark_parity"


def run_parity(users: int = 300, days: int = 30, workdir: Path = DEFAULT_WORKDIR, keep: bool = False) -> int:
    """The steps of the module docstring; prints the summary line. Returns 1 on any difference, else 0."""
    import duckdb

    from retention_warehouse.ingestion import load_landing
    from retention_warehouse.parquet_export import export_raw
    from retention_warehouse.sample_data import SampleSpec, write_landing

    work = workdir.resolve()
    if work.exists() and not keep:
        shutil.rmtree(work)
    landing, duck_path = work / "landing", work / "duckdb" / "retention.duckdb"
    parquet_dir, spark_dir = work / "parquet", work / "spark"
    for folder in (landing, duck_path.parent, parquet_dir, spark_dir):
        folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "RW_DUCKDB_PATH": str(duck_path),
        "RW_PARQUET_DIR": str(parquet_dir),
        "RW_SPARK_DIR": str(spark_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    timings: dict[str, float] = {}

    started = time.monotonic()
    if not duck_path.exists():
        write_landing(SampleSpec(users=users, days=days), landing)
        with duckdb.connect(str(duck_path)) as conn:
            load_landing(conn, landing)
        duck = run_dbt(
            ["build", "--exclude-resource-type", "unit_test"],
            {**env, "RW_ENGINE": "duckdb"},
            REPO_ROOT,
            work / "target_duckdb",
        )
        if duck.returncode != 0:
            print(duck.stdout[-4000:])
            print("spark parity: the DuckDB build failed")
            return 1
    timings["duckdb"] = time.monotonic() - started
    export_raw(duck_path, parquet_dir)

    started = time.monotonic()
    spark_env = {**env, "RW_ENGINE": "spark"}
    spark_target = work / "target_spark"
    register = run_dbt(["run-operation", "register_raw_parquet"], spark_env, spark_dir, spark_target)
    if register.returncode != 0:
        print(register.stdout[-4000:])
        print("spark parity: registering the raw Parquet tables failed on Spark")
        return 1
    seed = run_dbt(["seed"], spark_env, spark_dir, spark_target)
    if seed.returncode != 0:
        print(seed.stdout[-4000:])
        print("spark parity: dbt seed failed on Spark")
        return 1
    spark_run = run_dbt(["run"], spark_env, spark_dir, spark_target)
    timings["spark"] = time.monotonic() - started
    statuses = run_results(spark_target / "run_results.json")

    models = public_models(spark_target / "manifest.json")
    from pyspark.sql import SparkSession

    # The same settings as the spark output of profiles.yml (the Derby metastore admits one process at a time:
    # dbt has exited by now).
    session = (
        SparkSession.builder.enableHiveSupport()
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", f"{spark_dir}/warehouse")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir}/derby")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    failures: list[str] = []
    compared = rows = 0
    with duckdb.connect(str(duck_path), read_only=True) as duck_conn:
        for schema, table in models:
            status, message = statuses.get(table, ("missing", "not in run_results"))
            if status != "success":
                reason = message.splitlines()[0][:300] if message else ""
                failures.append(f"{table}: not built on Spark ({status}: {reason})")
                continue
            result = duck_conn.execute(f'select * from "{schema}"."{table}"')
            columns = [d[0] for d in result.description]
            duck_rows = result.fetchall()
            spark_df = session.table(f"{schema}.{table}")
            spark_columns = spark_df.columns
            if [c.lower() for c in spark_columns] != [c.lower() for c in columns]:
                failures.append(f"{table}: columns differ: DuckDB {columns}, Spark {spark_columns}")
                continue
            spark_rows = [tuple(r) for r in spark_df.collect()]
            difference = compare(table, columns, duck_rows, spark_rows)
            if difference:
                failures.append(difference)
                continue
            compared += 1
            rows += len(duck_rows)
    session.stop()
    for failure in failures:
        print("  FAIL " + failure)
    print(
        f"spark parity: {compared} models compared, {rows} rows compared, {len(failures)} failing of {len(models)}"
        f" public models (DuckDB build {timings['duckdb']:.0f}s, Spark seed+run {timings['spark']:.0f}s)"
    )
    if spark_run.returncode != 0 and not failures:
        print(spark_run.stdout[-4000:])
        return 1
    return 1 if failures else 0
