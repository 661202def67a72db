"""`make run`: build the whole warehouse once, from the landing folder to the published file.

    python -m cli.run [--job retention_refresh] [--wait]

Takes the warehouse's refresh lock before anything else (retention_warehouse/refresh_lock.py): a second refresh of
the same RW_WAREHOUSE_DIR exits at once with code 1, or waits for the first with --wait. Generates the bundled
sample when the landing folder holds no file at all (never when RW_ID_SALT is set: then real data is expected, and
an empty landing folder stops the command), runs the Dagster job in this process (recorded in $DAGSTER_HOME, so
`make dev` shows it), and prints where the outputs are. Every failure, of a step, of a check-result hook or of
Dagster's own storage, ends with the run's summary naming the cause (a full disk as the device that is full) and
the published version, which stays as it was unless the run published.
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
from retention_warehouse.publish import current_version
from retention_warehouse.refresh_lock import RefreshLocked, refresh_lock
from retention_warehouse.run_failure import failure_cause, written_folders
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
    began = time.monotonic()
    try:
        with refresh_lock(settings.warehouse_dir, wait=args.wait):
            return _refresh(settings, args.job, args.vars, user_vars)
    except RefreshLocked as locked:
        print(f"{locked}; not started (python -m cli.run --wait waits for it).", file=sys.stderr)
        return 1
    except Exception as error:  # Dagster's storage, the lock file, the sample: the summary still names the cause
        _print_failure(settings, f"The refresh FAILED after {time.monotonic() - began:.0f}s", [error])
        return 1


def _print_failure(settings: Settings, headline: str, errors: list) -> None:
    cause = failure_cause(errors, written_folders(settings.warehouse_dir, settings.dagster_home))
    try:
        version = current_version(settings.published_dir)
    except OSError:
        version = None
    print(f"\n{headline}: {cause}.")
    print(
        f"The published warehouse is version {version.name} ({settings.published_db_path})."
        if version
        else f"Nothing is published yet ({settings.published_dir})."
    )
    print(f"Inspect the run with `make dev` (DAGSTER_HOME={settings.dagster_home}).")


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
    from dagster import DagsterEventType, DagsterInstance

    from orchestration.definitions import defs

    began = time.monotonic()
    job = defs.resolve_job_def(job_name)
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=run_config(job_name, command_line_vars, user_vars),
        )
    seconds = time.monotonic() - began
    failures = [e for e in result.all_events if e.is_step_failure]
    hook_errors = [e for e in result.all_events if e.event_type == DagsterEventType.HOOK_ERRORED]
    if not result.success or hook_errors:  # a check result not recorded fails the run too
        steps = ", ".join(dict.fromkeys(e.step_key for e in failures + hook_errors)) or "see log"
        errors = [e.step_failure_data.error for e in failures] + [e.hook_errored_data.error for e in hook_errors]
        _print_failure(settings, f"Run {result.run_id} FAILED after {seconds:.0f}s (steps: {steps})", errors)
        return 1
    published = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events() if event.asset_key
    }
    if "published_warehouse" in published:
        print(f"\nRun {result.run_id} succeeded in {seconds:.0f}s.")
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
