"""Ingestion: landing files -> raw tables, with quarantine and a load audit (retention_warehouse/ingestion.py)."""

import duckdb
from dagster import AssetExecutionContext, AssetSpec, Failure, MaterializeResult, multi_asset

from orchestration.translator import RAW_GROUP, raw_table_key
from retention_warehouse import progress
from retention_warehouse.contract import FEEDS
from retention_warehouse.ingestion import FileLoad, landing_files, load_landing, load_problems
from retention_warehouse.refresh_lock import refresh_lock
from retention_warehouse.settings import load_settings
from retention_warehouse.user_config import load_feed_formats

RAW_TABLES = [spec.table for spec in FEEDS.values()] + ["identity_links", "raw_quarantine", "raw_load_audit"]


@multi_asset(
    specs=[
        AssetSpec(
            raw_table_key(table),
            group_name=RAW_GROUP,
            description=f"Raw `{table}` table in the working DuckDB file.",
        )
        for table in RAW_TABLES
    ],
    can_subset=False,
)
def raw_landing_files(context: AssetExecutionContext):
    """Load every new file under RW_LANDING_DIR into the raw layer; bad rows are quarantined with a reason.

    The step fails, so that no dbt work or publication follows, when a feed's new files in this run accepted no
    row or quarantined more than RW_MAX_QUARANTINED_SHARE of their rows (retention_warehouse.ingestion.load_problems).
    """
    settings = load_settings()
    landing = settings.landing_dir
    if not any((landing / feed).is_dir() for feed in ("events", "orders")):
        raise FileNotFoundError(
            f"No data to load: {landing} has neither an events/ nor an orders/ folder. Point RW_LANDING_DIR at "
            "your exports or run `make sample` (see README, 'Use your own exports')."
        )
    settings.work_db_path.parent.mkdir(parents=True, exist_ok=True)
    formats = load_feed_formats(settings.config_path)  # a wrong value stops the run here, naming file and key
    timer, files, done = progress.Timer(), sum(1 for _ in landing_files(landing)), 0

    def report(load: FileLoad) -> None:
        nonlocal done
        done += 1
        progress.bar("load", done, files)
        if load.file_error:
            context.log.error(f"{load.source_file}: whole file quarantined ({load.file_error})")
        elif load.rows_quarantined or load.rows_duplicate:
            context.log.warning(
                f"{load.source_file}: {load.rows_accepted} accepted, {load.rows_quarantined} quarantined, "
                f"{load.rows_duplicate} duplicates (see raw.raw_quarantine)"
            )

    # The refresh lock (held already when cli.run started this run): no two loads write the working file at once.
    with (
        refresh_lock(settings.warehouse_dir),
        duckdb.connect(str(settings.work_db_path), config=settings.duckdb_config) as conn,
    ):
        loads = load_landing(
            conn,
            landing,
            future_tolerance_hours=settings.future_tolerance_hours,
            progress=report,
            formats=formats,
            batch_rows=settings.load_batch_rows,
        )
        bad_rows = conn.execute(
            "select source_file, row_number, reason_code, reason_detail from raw.raw_quarantine "
            "where load_id in (select load_id from raw.raw_load_audit where loaded_at = "
            "(select max(loaded_at) from raw.raw_load_audit)) order by source_file, row_number limit 20"
        ).fetchall()
        table_rows = {t: conn.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES}
    for source_file, row_number, reason_code, detail in bad_rows:
        context.log.warning(f"quarantined {source_file} row {row_number}: {reason_code} ({detail})")
    new = [load for load in loads if not load.skipped]
    figures = (
        f"{len(new)} new files ({len(loads) - len(new)} already loaded): rows read {sum(x.rows_read for x in new):,}, "
        f"accepted {sum(x.rows_accepted for x in new):,} ({sum(x.rows_updated for x in new):,} of them corrections), "
        f"quarantined {sum(x.rows_quarantined for x in new):,}, duplicates {sum(x.rows_duplicate for x in new):,}"
    )
    context.log.info(figures)
    progress.step("load", timer.seconds, figures)
    problems = load_problems(loads, settings.max_quarantined_share)
    for table in RAW_TABLES:  # the raw tables were written either way (quarantine and audit included)
        yield MaterializeResult(
            asset_key=raw_table_key(table),
            metadata={"table_rows": table_rows[table], "new_files": len(new)},
        )
    if problems:
        for problem in problems:
            context.log.error(problem)
        raise Failure(
            description="This run's deliveries are not fit to build on; nothing downstream runs and the published "
            "warehouse stays as it was (see raw.raw_quarantine and raw.raw_load_audit):\n" + "\n".join(problems),
            metadata={"problems": "\n".join(problems)},
        )
