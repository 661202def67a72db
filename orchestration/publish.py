"""Publish the working warehouse as the read-only file users and BI tools open.

The copy is written beside the published file and renamed into place (an atomic replace on one file system):
a reader holding the old file keeps its consistent view, and nobody ever sees half a refresh.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.settings import Settings


def publish(settings: Settings) -> dict:
    source = settings.work_db_path
    target = settings.published_db_path
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(source)) as conn:
        conn.execute("checkpoint")  # fold the WAL into the file before copying it
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema in ('marts', 'raw') order by 1"
        ).fetchall()
        row_counts = {name: conn.execute(f"select count(*) from {name}").fetchone()[0] for (name,) in tables}
        as_of = conn.execute("select max(activity_date) from intermediate.int_users_activity_days").fetchone()[0]
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, staging)
    os.replace(staging, target)
    manifest = {
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": str(target),
        "as_of_date": as_of.isoformat() if as_of else None,
        "row_counts": row_counts,
    }
    _write_atomically(settings.published_dir / "manifest.json", json.dumps(manifest, indent=2))
    return manifest


def _write_atomically(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)
