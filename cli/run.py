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
import re
import subprocess
import sys
import time
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

from retention_warehouse import progress
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
    except Exception as error:  # Dagster's storage, the lock file, the log: the summary still names the cause
        _print_failure(settings, f"The refresh FAILED after {time.monotonic() - began:.0f} s", [error])
        return 1


def _print_failure(
    settings: Settings, headline: str, errors: list, details: list[str] = (), log_path: Path | None = None
) -> None:
    """The run's own summary of a failure: its cause (a full disk named by its device), what failed, and the
    published version, which the failed run did not replace."""
    cause = failure_cause(errors, written_folders(settings.warehouse_dir, settings.dagster_home))
    print(f"\n{headline}: {cause}.")
    for line in details:
        print(f"  {line}")
    try:
        version = current_version(settings.published_dir)
    except OSError:
        version = None
    print(
        f"The published warehouse is version {version.name} ({settings.published_db_path})."
        if version
        else f"Nothing is published yet ({settings.published_dir})."
    )
    print(
        (f"Full log: {log_path}; " if log_path else "")
        + f"the run in the Dagster UI: make dev (DAGSTER_HOME={settings.dagster_home})."
    )


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
    log_path = new_log_path(settings.warehouse_dir)
    print(f"Refreshing ({job_name}); the full log is {log_path}")
    began = time.monotonic()
    with logged_to(log_path):
        result = _execute(job_name, run_config(job_name, command_line_vars, user_vars))
    seconds = time.monotonic() - began
    from dagster import DagsterEventType

    failures = [e for e in result.all_events if e.is_step_failure]
    hook_errors = [e for e in result.all_events if e.event_type == DagsterEventType.HOOK_ERRORED]
    if not result.success or hook_errors:  # a check result not recorded fails the run too
        errors = [e.step_failure_data.error for e in failures] + [e.hook_errored_data.error for e in hook_errors]
        headline = f"Run {result.run_id} FAILED after {seconds:.0f} s"
        _print_failure(settings, headline, errors, failure_causes(result, log_path), log_path)
        return 1
    published = {
        event.asset_key.to_user_string() for event in result.get_asset_materialization_events() if event.asset_key
    }
    if "published_warehouse" not in published:
        print(
            f"\nRun {result.run_id} found nothing new in {seconds:.0f} s: no file loaded and the project and "
            "settings unchanged since the last published build, so no dbt work; the published warehouse is as it was."
        )
    else:
        manifest = json.loads((settings.published_dir / "manifest.json").read_text(encoding="utf-8"))
        quality = manifest["data_quality"]
        warnings = quality["warnings"]
        print(
            f"\nRun {result.run_id} succeeded in {seconds:.0f} s: as of {manifest['as_of_date']}, checks "
            f"{quality['checks_passed']}/{quality['checks_run']} passed"
            + (f", {len(warnings)} warning{'s' * (len(warnings) > 1)}:" if warnings else ".")
        )
        for warning in warnings:
            print(f"  ! {warning}")
        print_event_names(settings.work_db_path)
    print_outputs(settings, log_path)
    return 0


def _execute(job_name: str, config: dict):
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    job = defs.resolve_job_def(job_name)
    with DagsterInstance.get() as instance:
        return job.execute_in_process(instance=instance, raise_on_error=False, run_config=config)


LOGS_KEPT = 20


def new_log_path(warehouse_dir: Path) -> Path:
    """A new file under <warehouse>/logs/ for this run's full log; the oldest beyond the last LOGS_KEPT go."""
    logs = warehouse_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for old in sorted(logs.glob("run-*.log"))[:-LOGS_KEPT]:
        old.unlink(missing_ok=True)
    return logs / f"run-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"


@contextmanager
def logged_to(log_path: Path):
    """Everything written to stdout and stderr meanwhile goes to the log file: Dagster's log, dbt's output (which
    dagster-dbt echoes through sys.stdout) and subprocesses (file descriptors 1 and 2). The terminal gets the short
    progress view (retention_warehouse/progress.py)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    terminal = os.fdopen(os.dup(saved[1]), "w", encoding="utf-8", errors="replace")
    try:
        with open(log_path, "a", encoding="utf-8", errors="replace", buffering=1) as log:
            for fd in saved:
                os.dup2(log.fileno(), fd)
            progress.attach(terminal)
            try:
                with redirect_stdout(log), redirect_stderr(log):
                    yield
            finally:
                log.flush()
                progress.attach(None)
                for fd, copy in saved.items():
                    os.dup2(copy, fd)
    finally:
        terminal.close()
        for copy in saved.values():
            os.close(copy)


ERROR_LINE = re.compile(r"error|failure|failed|no space left", re.IGNORECASE)


def failure_causes(result, log_path: Path, limit: int = 12) -> list[str]:
    """What failed, for the summary: each failed step with its error, then the log's error lines (dbt's among
    them), at most `limit` lines in all."""
    lines = []
    for event in result.all_events:
        if event.is_step_failure or event.event_type_value == "HOOK_ERRORED":
            error = event.event_specific_data.error
            message = (error.message if error else "failed").strip().splitlines()
            what = "step" if event.is_step_failure else "check-result hook of step"
            lines.append(f"{what} {event.step_key}: {message[0] if message else 'failed'}")
    seen = set(lines)
    log = [ANSI.sub("", raw).strip() for raw in log_path.read_text(encoding="utf-8", errors="replace").splitlines()]
    for number, line in enumerate(log):
        if not ERROR_LINE.search(line) or "dagster - DEBUG" in line:
            continue
        # the line, and the next one: dbt writes an error's message on the line after its heading
        for found in (line, next((later for later in log[number + 1 : number + 3] if later), "")):
            if found and found not in seen:
                seen.add(found)
                lines.append(found[:300])
    return lines[:limit]


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def print_event_names(db_path: Path, shown: int = 6) -> None:
    """The most frequent event names of the build, in one line (make profile lists them all)."""
    import duckdb

    try:
        with duckdb.connect(str(db_path), read_only=True) as conn:
            names = conn.execute(
                "select event_name, events from intermediate.int_event_names order by events desc, 1"
            ).fetchall()
    except duckdb.Error:  # built elsewhere (RW_ENGINE=spark): the working file has no intermediate layer
        return
    top = ", ".join(f"{name} {events:,}" for name, events in names[:shown])
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    print(f"Event names: {top}{more} (make profile: all of them, and a configuration suggested from them).")


def print_outputs(settings: Settings, log_path: Path) -> None:
    published = settings.published_dir
    print(f"  landing data       {settings.landing_dir}")
    print(f"  working warehouse  {settings.work_db_path}")
    print(f"  published (BI)     {settings.published_db_path}  (read-only; docs/bi.md)")
    print(f"  report             {published / 'report.html'}")
    print(f"  Data Docs          {published / 'quality' / 'index.html'}")
    print(f"  Parquet            {published / 'parquet'}/")
    print(f"  publish manifest   {published / 'manifest.json'}")
    print(f"  run log            {log_path}")
    print(
        '  query it           .venv/bin/python -c "import duckdb; print(duckdb.connect('
        f"'{settings.published_db_path}', read_only=True).sql('select * from marts.fct_kpi_scorecard limit 5'))\""
    )
    print("  Dagster UI         make dev   (then open http://127.0.0.1:3000)")
    print("  dbt docs           make docs  (then open http://127.0.0.1:8080)")


if __name__ == "__main__":
    sys.exit(main())
