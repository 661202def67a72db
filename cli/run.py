"""`make run`: build the whole warehouse once, from the landing folder to the published file.

    python -m cli.run [--job retention_refresh] [--wait]

Takes the warehouse's refresh lock before anything else (retention_warehouse/refresh_lock.py): a second refresh of
the same RW_WAREHOUSE_DIR exits at once with code 1, or waits for the first with --wait. Generates the bundled
sample when the landing folder holds no file at all (never when RW_ID_SALT is set: then real data is expected, and
an empty landing folder stops the command), runs the Dagster job in this process (recorded in $DAGSTER_HOME, so
`make dev` shows it), and prints where the outputs are.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from retention_warehouse.build_state import nothing_new
from retention_warehouse.export_formats import FULL_REBUILD_NOTE
from retention_warehouse.refresh_lock import RefreshLocked, refresh_lock
from retention_warehouse.sample_data import SampleSpec, write_landing
from retention_warehouse.settings import DEFAULT_ID_SALT, REPO_ROOT, Settings, export_for_dbt, load_settings
from retention_warehouse.user_config import ConfigError, load_user_vars, parse_vars


def ensure_manifest() -> None:
    if not (REPO_ROOT / "target" / "manifest.json").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dbt.cli.main",
                "parse",
                "--quiet",
                "--project-dir",
                str(REPO_ROOT),
                "--profiles-dir",
                str(REPO_ROOT),
            ],
            check=True,
            cwd=REPO_ROOT,
        )


def run_config(job: str, command_line_vars: str, user_vars: dict) -> dict:
    """Console logging; with --vars, the run's dbt vars (the file's and the command line's) as the dbt step's config."""
    config: dict = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    if command_line_vars.strip():
        step = {"full_refresh": job == "full_refresh", "vars": json.dumps(user_vars, sort_keys=True, default=str)}
        config["ops"] = {"retention_dbt_models": {"config": step}}
    return config


def sample_needed(landing_dir: Path, salt_is_set: bool) -> bool:
    """True when the bundled sample is to be generated: the landing folder holds no file at all, of any type.

    Any file counts, even one the loader does not read (the loader quarantines it), so the sample is never written
    next to a user's export. With a salt of one's own (RW_ID_SALT) the data is meant to be real: no sample, the
    command stops."""
    if landing_dir.is_dir() and any(path.is_file() for path in landing_dir.rglob("*")):
        return False
    if salt_is_set:
        raise SystemExit(
            f"The landing folder {landing_dir} has no data (no file at all). RW_ID_SALT is set, so real exports are "
            "expected and the bundled sample is not generated: put the exports in one sub-folder per feed "
            "(docs/data_contract.md) or point RW_LANDING_DIR at them."
        )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a Retention Warehouse job end to end.")
    parser.add_argument("--job", default="retention_refresh")
    parser.add_argument(
        "--vars",
        default="",
        help="dbt vars as YAML, over those of the configuration file ($RW_CONFIG, warehouse.yml), e.g. "
        "'{default_currency: USD}'",
    )
    parser.add_argument("--wait", action="store_true", help="wait for a refresh in progress instead of exiting")
    args = parser.parse_args(argv)

    settings = load_settings()
    try:
        user_vars = load_user_vars(settings.config_path) | parse_vars(args.vars, "--vars")
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    try:
        with refresh_lock(settings.warehouse_dir, wait=args.wait):
            return _refresh(settings, args.job, args.vars, user_vars)
    except RefreshLocked as locked:
        print(f"{locked}; not started (python -m cli.run --wait waits for it).", file=sys.stderr)
        return 1


def _refresh(settings: Settings, job_name: str, command_line_vars: str, user_vars: dict) -> int:
    export_for_dbt(settings)
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)  # DAGSTER_HOME if set, else under RW_WAREHOUSE_DIR
    os.makedirs(settings.dagster_home, exist_ok=True)

    if sample_needed(settings.landing_dir, salt_is_set=settings.id_salt != DEFAULT_ID_SALT):
        print(f"No file in {settings.landing_dir}: generating the bundled sample (seed 42).")
        counts = write_landing(SampleSpec(), settings.landing_dir)
        print("  " + ", ".join(f"{feed} {rows:,}" for feed, rows in counts.items()))

    if job_name == "retention_refresh" and nothing_new(settings, user_vars):
        print(
            f"Nothing new: every file in {settings.landing_dir} is loaded, and the project and settings are those of "
            f"the published build, so no dbt work. The published warehouse is as it was: {settings.published_db_path}"
        )
        return 0

    ensure_manifest()
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    began = time.monotonic()
    job = defs.resolve_job_def(job_name)
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=run_config(job_name, command_line_vars, user_vars),
        )
        notes = [
            entry.user_message
            for entry in instance.all_logs(result.run_id)
            if entry.user_message and entry.user_message.startswith(FULL_REBUILD_NOTE)
        ]
    seconds = time.monotonic() - began
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        print(f"\nRun {result.run_id} FAILED after {seconds:.0f}s (steps: {', '.join(failed) or 'see log'}).")
        print(
            f"The published warehouse was not replaced. Inspect the run with `make dev` (DAGSTER_HOME="
            f"{os.environ['DAGSTER_HOME']})."
        )
        return 1
    published = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events() if event.asset_key
    }
    if "published_warehouse" in published:
        print(f"\nRun {result.run_id} succeeded in {seconds:.0f}s.")
        for note in notes:
            print(f"  {note}")
    else:
        print(
            f"\nRun {result.run_id} found nothing new in {seconds:.0f}s: no file loaded and the project and "
            "settings unchanged since the last published build, so no dbt work; the published warehouse is as it was."
        )
    print(f"  landing data       {settings.landing_dir}")
    print(f"  working warehouse  {settings.work_db_path}")
    print(f"  published (BI)     {settings.published_db_path}")
    print(f"  publish manifest   {settings.published_dir / 'manifest.json'}")
    print(
        '  query it           .venv/bin/python -c "import duckdb; print(duckdb.connect('
        f"'{settings.published_db_path}', read_only=True).sql('select * from marts.fct_cohort_retention limit 5'))\""
    )
    print("  Dagster UI         make dev   (then open http://127.0.0.1:3000)")
    print("  dbt docs           make docs  (then open http://127.0.0.1:8080)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
