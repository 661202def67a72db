"""`make bench TIER=S|M|L`: the warehouse at scale against the engine's floor and the pandas way (not a test).

    python -m cli.bench_tiers --tier M [--memory-limit 8GB] [--skip-pandas]

For the tier (retention_warehouse/sample_data.py TIERS: 10k, 100k or 1M users over 365 days) it
  1. generates the landing data once into data/bench/<tier>/ (reused while the tier's spec is unchanged) and holds
     the last day's events file back;
  2. times the **lower bound**: one DuckDB pass over the event files computing the distinct active (user, day)
     pairs, with the same memory limit and threads;
  3. times the **full build**: the whole `retention_refresh` Dagster job (`python -m cli.run`: load,
     every dbt model and test, every GX suite, publish) into an empty warehouse, with DuckDB's memory limit set;
  4. drops the held-back day into the landing folder and times the **incremental refresh** (the same job);
  5. times the **pandas baseline** (retention_warehouse/benchmarks/pandas_retention.py) with its address space capped
     at the same limit, and checks its D1/D7/D30 counts equal the warehouse's fct_cohort_retention.
Peak memory is the peak resident set of the largest process of each step (os.wait4). Every figure is printed and
appended as one JSON line to data/bench/results.jsonl; docs/benchmarks.md is written from those lines.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb

from retention_warehouse.publish import project_version
from retention_warehouse.sample_data import TIERS, write_landing
from retention_warehouse.settings import REPO_ROOT

BENCH_ROOT = REPO_ROOT / "data" / "bench"


def _measured(command: list[str], env: dict[str, str], disk: Path | None = None) -> tuple[float, float, int, float]:
    """Run a command; return (wall seconds, peak RSS in GB of its largest process, exit code, peak disk in GB).

    The peak disk is the size of the folder `disk`, sampled every half second while the command runs (0 without it).
    """
    began, peak_disk = time.perf_counter(), 0.0
    child = subprocess.Popen(command, env=env, cwd=REPO_ROOT)
    while not (waited := os.wait4(child.pid, os.WNOHANG if disk else 0))[0]:
        peak_disk = max(peak_disk, folder_gb(disk))
        time.sleep(0.5)
    _, status, usage = waited
    return time.perf_counter() - began, usage.ru_maxrss / 1e6, os.waitstatus_to_exitcode(status), round(peak_disk, 1)


def folder_gb(folder: Path) -> float:
    """Bytes of every file under `folder` (DuckDB's spill files included: they are beside the database), in GB."""
    total = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(FileNotFoundError):  # a spill file removed while we walked
                total += os.stat(os.path.join(parent, name)).st_size
    return total / 1e9


def prepare_tier(tier: str, root: Path) -> tuple[Path, Path, dict]:
    """The tier's landing folder (without its last day) and the held-back last-day file."""
    spec = TIERS[tier]
    marker = root / "tier.json"
    landing, held = root / "landing", root / "held_back"
    wanted = {k: str(v) for k, v in asdict(spec).items()}
    if not marker.exists() or json.loads(marker.read_text()).get("spec") != wanted:
        shutil.rmtree(root, ignore_errors=True)
        began = time.perf_counter()
        counts = write_landing(spec, landing)
        seconds = time.perf_counter() - began
        last_day = sorted((landing / "events").glob("events_*.parquet"))[-1]
        held.mkdir(parents=True)
        shutil.move(last_day, held / last_day.name)
        marker.write_text(json.dumps({"spec": wanted, "counts": counts, "generate_seconds": round(seconds, 1)}))
    (last_day,) = held.glob("events_*.parquet")
    if (landing / "events" / last_day.name).exists():  # left in place by an earlier run of this benchmark
        (landing / "events" / last_day.name).unlink()
    return landing, last_day, json.loads(marker.read_text())


def lower_bound(landing: Path, memory_limit: str) -> tuple[float, int, int]:
    """One DuckDB pass over the event files: the distinct active (user, day) pairs, materialised."""
    with duckdb.connect(config={"memory_limit": memory_limit}) as conn:
        began = time.perf_counter()
        conn.execute(
            f"""
            create table active_user_days as
            select distinct user_id, cast(event_time as date) as activity_date
            from read_parquet('{landing}/events/*.parquet')
            where event_name <> 'push_sent'
            """
        )
        seconds = time.perf_counter() - began
        pairs = conn.execute("select count(*) from active_user_days").fetchone()[0]
        events = conn.execute(f"select count(*) from read_parquet('{landing}/events/*.parquet')").fetchone()[0]
    return seconds, pairs, events


def duckdb_notebook(landing: Path, memory_limit: str) -> float:
    """The pandas baseline's computation (daily-cohort D1/D7/D30) as one DuckDB query over the same files."""
    with duckdb.connect(config={"memory_limit": memory_limit}) as conn:
        began = time.perf_counter()
        conn.execute(
            f"""
            create table retention as
            with active as (
                select distinct user_id, cast(event_time as date) as day
                from read_parquet('{landing}/events/*.parquet') where event_name <> 'push_sent'
            ),
            users as (
                select user_id, cast(cast(signup_time as timestamptz) as date) as cohort_date
                from read_csv('{landing}/users/users.csv', all_varchar = true)
            )
            select users.cohort_date, count(distinct users.user_id) as cohort_users,
                   count(distinct case when active.day - users.cohort_date = 1 then active.user_id end) as d1,
                   count(distinct case when active.day - users.cohort_date = 7 then active.user_id end) as d7,
                   count(distinct case when active.day - users.cohort_date = 30 then active.user_id end) as d30
            from users left join active on active.user_id = users.user_id
                and active.day - users.cohort_date in (1, 7, 30)
            group by 1
            """
        )
        return time.perf_counter() - began


def dbt_timings(limit: int = 15) -> tuple[float, list[tuple[str, float]]]:
    """The dbt build's wall time and slowest nodes, from the newest run_results.json (one per dagster-dbt run)."""
    newest = max((REPO_ROOT / "target").rglob("run_results.json"), key=lambda p: p.stat().st_mtime)
    run_results = json.loads(newest.read_text())
    timed = [(r["unique_id"].split(".")[-1], r["execution_time"]) for r in run_results["results"]]
    slowest = sorted(timed, key=lambda x: -x[1])[:limit]
    return round(run_results["elapsed_time"], 1), [(name, round(seconds, 1)) for name, seconds in slowest]


def step_seconds(dagster_home: Path) -> dict[str, float]:
    """Seconds per part of the newest Dagster run: load, dbt, checks (GX and the rest), publish."""
    try:
        from dagster import DagsterInstance, RunsFilter

        os.environ["DAGSTER_HOME"] = str(dagster_home)
        with DagsterInstance.get() as instance:
            run = instance.get_run_records(RunsFilter(), limit=1)[0].dagster_run
            parts: dict[str, float] = {}
            for stats in instance.get_run_step_stats(run.run_id):
                key = stats.step_key
                part = (
                    "load"
                    if key.startswith("raw_landing")
                    else "dbt"
                    if key == "retention_dbt_models"
                    else "publish"
                    if key.startswith("published")
                    else "checks"
                )
                if stats.start_time and stats.end_time:
                    parts[part] = round(parts.get(part, 0.0) + stats.end_time - stats.start_time, 1)
            return parts
    except Exception as error:  # a figure missing from the report, never a failed benchmark
        print(f"(no step timings: {error})")
        return {}


def pandas_agrees(pandas_out: Path, database: Path) -> tuple[int, int]:
    """(cohort days compared, cohort days that differ) between pandas and the warehouse's D1/D7/D30 user counts."""
    with duckdb.connect(str(database), read_only=True) as conn:
        return conn.execute(
            f"""
            with warehouse as (
                select cohort_start as cohort_date, max(cohort_size) as cohort_users,
                       max(case when period_number = 1 then retained_users end) as d1,
                       max(case when period_number = 7 then retained_users end) as d7,
                       max(case when period_number = 30 then retained_users end) as d30
                from marts.fct_cohort_retention
                where retention_definition = 'activity' and grain = 'day' and breakdown_name = 'all'
                  and retention_type = 'n_period' and period_number in (1, 7, 30) and is_mature
                group by 1
            )
            select count(*),
                   count(*) filter (where p.cohort_users <> w.cohort_users or p.d1 <> w.d1
                                    or (w.d7 is not null and p.d7 <> w.d7) or (w.d30 is not null and p.d30 <> w.d30))
            from read_parquet('{pandas_out}') as p
            join warehouse as w on w.cohort_date = cast(p.cohort_date as date)
            """
        ).fetchone()


ROWS = [  # (label, how to show one result) for the table in docs/benchmarks.md
    ("users / events built", lambda r: f"{r['users']:,} / {r['events_built']:,}"),
    ("generate the tier (Parquet)", lambda r: f"{r['generate_seconds']:.0f} s"),
    ("lower bound: one DuckDB pass, distinct active user-days", lambda r: f"{r['lower_bound_seconds']:.1f} s"),
    ("full build (the whole Dagster job)", lambda r: f"{r['full_seconds']:.0f} s"),
    (
        "  of which dbt build (every model and test)",
        lambda r: f"{r['full_dbt_seconds']:.0f} s" if "full_dbt_seconds" in r else "n/a",
    ),
    ("  steps, summed (load, dbt, checks, publish)", lambda r: _steps_cell(r.get("full_steps"))),
    ("full build peak memory (largest process)", lambda r: f"{r['full_peak_gb']:.1f} GB"),
    (
        "peak disk of the warehouse folder, full / incremental",
        lambda r: f"{r['full_peak_disk_gb']:.1f} / {r['incremental_peak_disk_gb']:.1f} GB",
    ),
    ("work / published file after the incremental", lambda r: _files_cell(r["incremental_files_gb"])),
    ("full build / lower bound", lambda r: f"{r['full_over_lower_bound']:.0f}x"),
    ("one-day incremental refresh", lambda r: f"{r['incremental_seconds']:.0f} s"),
    ("incremental / full build", lambda r: f"{100 * r['incremental_share_of_full']:.0f}%"),
    ("pandas baseline (D1/D7/D30 by daily cohort)", lambda r: _pandas_cell(r)),
    ("pandas / full build", lambda r: f"{r['pandas_over_full']:.2f}x" if r.get("pandas_over_full") else "n/a"),
    ("the notebook's query in DuckDB", lambda r: _notebook_cell(r)),
    ("slowest dbt models in the full build", lambda r: ", ".join(f"{n} {s:.0f} s" for n, s in r["full_slowest"][:3])),
]


def _steps_cell(steps: dict | None) -> str:
    if not steps:
        return "n/a"
    return ", ".join(f"{part} {steps[part]:.0f} s" for part in ("load", "dbt", "checks", "publish") if part in steps)


def _files_cell(files: dict) -> str:
    return f"{files['work']:.2f} / {files['published']:.2f} GB"


def _notebook_cell(result: dict) -> str:
    if "duckdb_notebook_seconds" not in result:
        return "not run"
    seconds, pandas = result["duckdb_notebook_seconds"], result["notebook_pandas_seconds"]
    if result["notebook_pandas_oom"]:
        return f"{seconds:.1f} s (pandas out of memory in that run)"
    return f"{seconds:.1f} s ({pandas / seconds:.0f}x faster than pandas' {pandas:.1f} s in that run)"


def _pandas_cell(result: dict) -> str:
    if "pandas_seconds" not in result:
        return "not run"
    if result.get("pandas_oom"):
        return f"out of memory at {result['memory_limit']} after {result['pandas_seconds']:.0f} s"
    if "pandas_cohorts_compared" not in result:
        return f"failed after {result['pandas_seconds']:.0f} s"
    return (
        f"{result['pandas_seconds']:.0f} s, {result['pandas_peak_gb']:.1f} GB; agrees on "
        f"{result['pandas_cohorts_compared']} cohort days ({result['pandas_cohorts_differing']} differ)"
    )


def _cell(show, result: dict) -> str:
    try:
        return show(result)
    except (KeyError, TypeError, ZeroDivisionError):  # a step that did not run (or failed) for this tier
        return "n/a"


def markdown_table(results: list[dict]) -> str:
    """The newest result of each tier as one markdown table (docs/benchmarks.md)."""
    latest: dict[str, dict] = {}
    for result in results:  # later lines win
        tier = latest.setdefault(result["tier"], {})
        notebook = {key: value for key, value in tier.items() if "notebook" in key}
        if "full_seconds" in result:  # a whole run replaces the figures of the runs before it, never mixes with them
            latest[result["tier"]] = result | notebook
        else:  # a --notebook-only line adds its DuckDB time, with the pandas time of the same run beside it
            tier |= {"duckdb_notebook_seconds": result["duckdb_notebook_seconds"]}
            tier |= {"notebook_pandas_seconds": result["pandas_seconds"], "notebook_pandas_oom": result["pandas_oom"]}
    tiers = [t for t in TIERS if t in latest]
    lines = ["| | " + " | ".join(f"tier {t}" for t in tiers) + " |", "|---" * (len(tiers) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(_cell(show, latest[t]) for t in tiers) + " |" for label, show in ROWS]
    return "\n".join(lines)


def notebook_only(tier: str, landing: Path, last_day: Path, memory_limit: str) -> int:
    """The notebook's job done by pandas and by DuckDB on the tier's full year; appended as a partial result line."""
    shutil.copy(last_day, landing / "events" / last_day.name)
    try:
        engine = duckdb_notebook(landing, memory_limit)
        out = BENCH_ROOT / tier / "pandas_retention.parquet"
        gigabytes = float(memory_limit.upper().removesuffix("GB"))
        command = [sys.executable, "-m", "cli.bench_pandas", str(landing), str(out)]
        seconds, peak, code, _ = _measured([*command, "--memory-limit-gb", str(gigabytes)], dict(os.environ))
    finally:
        (landing / "events" / last_day.name).unlink()
    figures = {"tier": tier, "duckdb_notebook_seconds": round(engine, 2), "pandas_seconds": round(seconds, 1)}
    figures |= {"pandas_peak_gb": round(peak, 2), "pandas_oom": code == 3}
    print(f"tier {tier}: the notebook's D1/D7/D30 in DuckDB {engine:.2f} s; pandas {seconds:.1f} s (exit {code})")
    _append_result(figures)
    return 0


def results_table() -> str:
    """The markdown table of the newest result per tier, from data/bench/results.jsonl."""
    lines = (BENCH_ROOT / "results.jsonl").read_text().splitlines()
    return markdown_table([json.loads(line) for line in lines if line.strip()])


def run_tier(
    tier: str, memory_limit: str = "8GB", skip_pandas: bool = False, notebook: bool = False, full_only: bool = False
) -> int:
    """Steps 1-5 of the module docstring for one tier (with notebook, only the pandas baseline and its query in
    DuckDB; with full_only, steps 1-3); prints the figures and appends them to data/bench/results.jsonl. Returns
    the exit code."""
    root = BENCH_ROOT / tier
    landing, last_day, tier_info = prepare_tier(tier, root)
    if notebook:
        return notebook_only(tier, landing, last_day, memory_limit)
    print(f"tier {tier}: {tier_info['counts']}, generated in {tier_info['generate_seconds']} s")
    warehouse = root / "warehouse"
    shutil.rmtree(warehouse, ignore_errors=True)
    env = {
        **os.environ,
        "RW_LANDING_DIR": str(landing),
        "RW_WAREHOUSE_DIR": str(warehouse),
        "DAGSTER_HOME": str(warehouse / "dagster"),
        "RW_TIMEZONE": "UTC",
        "RW_DUCKDB_MEMORY_LIMIT": memory_limit,
    }
    figures: dict = {
        "tier": tier,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 1e9:.0f} GB",
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "dbt_core": version("dbt-core"),
        "dagster": version("dagster"),
        "commit": project_version()["git_commit"],
        "pandas": version("pandas"),
        "memory_limit": memory_limit,
        "users": tier_info["counts"]["users"],
        "events_generated": tier_info["counts"]["events"],
        "generate_seconds": tier_info["generate_seconds"],
    }

    seconds, pairs, events = lower_bound(landing, memory_limit)
    figures |= {"events_built": events, "active_user_days": pairs, "lower_bound_seconds": round(seconds, 1)}
    print(f"lower bound: {events:,} events -> {pairs:,} active user-days in {seconds:.1f} s")

    run = [sys.executable, "-m", "cli.run"]
    seconds, peak, code, disk = _measured(run, env, disk=warehouse)
    if code:
        print(f"full build FAILED (exit {code}) after {seconds:.0f} s")
        return 1
    dbt_seconds, slowest = dbt_timings()
    figures |= {"full_seconds": round(seconds, 1), "full_peak_gb": round(peak, 2), "full_peak_disk_gb": disk}
    figures |= {
        "full_dbt_seconds": dbt_seconds,
        "full_slowest": slowest,
        "full_steps": step_seconds(warehouse / "dagster"),
        "full_files_gb": warehouse_files_gb(warehouse),
    }
    print(f"full build: {seconds:.1f} s, peak {peak:.2f} GB, disk {disk} GB; slowest dbt nodes {slowest}")
    print(f"full build steps: {_steps_cell(figures['full_steps'])}")
    if full_only:
        figures["full_over_lower_bound"] = round(figures["full_seconds"] / figures["lower_bound_seconds"], 1)
        _append_result(figures)
        print(json.dumps(figures, indent=2))
        return 0

    shutil.copy(last_day, landing / "events" / last_day.name)
    seconds, peak, code, disk = _measured(run, env, disk=warehouse)
    if code:
        print(f"incremental refresh FAILED (exit {code}) after {seconds:.0f} s")
        figures |= {"incremental_failed_after_seconds": round(seconds, 1), "incremental_peak_disk_gb": disk}
        _append_result(figures)
        return 1
    figures |= {"incremental_seconds": round(seconds, 1), "incremental_peak_gb": round(peak, 2)}
    figures["incremental_dbt_seconds"], figures["incremental_slowest"] = dbt_timings()
    figures["incremental_steps"] = step_seconds(warehouse / "dagster")
    figures |= {"incremental_peak_disk_gb": disk, "incremental_files_gb": warehouse_files_gb(warehouse)}
    print(f"incremental day ({last_day.name}): {seconds:.1f} s, peak {peak:.2f} GB, disk {disk} GB")
    if not skip_pandas:  # on the same files as the warehouse now holds, so the counts can be compared
        out = root / "pandas_retention.parquet"
        out.unlink(missing_ok=True)
        gigabytes = float(memory_limit.upper().removesuffix("GB"))
        pandas = [sys.executable, "-m", "cli.bench_pandas", str(landing), str(out)]
        seconds, peak, code, _ = _measured([*pandas, "--memory-limit-gb", str(gigabytes)], env)
        figures |= {"pandas_seconds": round(seconds, 1), "pandas_peak_gb": round(peak, 2), "pandas_oom": code == 3}
        if code == 0:
            compared, differing = pandas_agrees(out, warehouse / "published" / "retention.duckdb")
            figures |= {"pandas_cohorts_compared": compared, "pandas_cohorts_differing": differing}
            print(f"pandas baseline: {seconds:.1f} s, peak {peak:.2f} GB; {compared} cohort days, {differing} differ")
        else:
            print(f"pandas baseline: {'out of memory' if code == 3 else f'failed (exit {code})'} after {seconds:.0f} s")
    (landing / "events" / last_day.name).unlink()  # the tier's landing folder stays without its last day

    figures["full_over_lower_bound"] = round(figures["full_seconds"] / figures["lower_bound_seconds"], 1)
    figures["incremental_share_of_full"] = round(figures["incremental_seconds"] / figures["full_seconds"], 3)
    if figures.get("pandas_seconds") and not figures.get("pandas_oom"):
        figures["pandas_over_full"] = round(figures["pandas_seconds"] / figures["full_seconds"], 2)
    _append_result(figures)
    print(json.dumps(figures, indent=2))
    return 0


def _append_result(figures: dict) -> None:
    with open(BENCH_ROOT / "results.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(figures) + "\n")


def warehouse_files_gb(warehouse: Path) -> dict[str, float]:
    """Sizes of the working and the published DuckDB files after a build, in GB."""
    files = {"work": warehouse / "work" / "retention.duckdb", "published": warehouse / "published" / "retention.duckdb"}
    return {name: round(path.stat().st_size / 1e9, 2) for name, path in files.items() if path.exists()}
