"""Publish the working warehouse for people and BI tools: blue/green, never in place.

1. write a new DuckDB file beside the published one holding only what BI tools read: the public models (schema
   `marts`), the seeds they join (`reference`), the load monitoring tables and the check results. The raw,
   staging and intermediate layers stay in the working file: `raw` holds the source user ids, and the working
   file is six times the size (docs/benchmarks.md);
2. from that file, export every public model and the load monitoring tables to Parquet;
3. rename the new file over `published/retention.duckdb` (atomic on one file system), then swap the Parquet folder;
4. write `published/manifest.json` last.

A reader that holds the old file keeps its consistent view (its open file is the old inode) and never blocks the
refresh; a reader that opens after the rename sees the new version. Nobody sees half a refresh.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from expectations.runner import data_docs_dir
from retention_warehouse.build_state import build_state
from retention_warehouse.settings import REPO_ROOT, Settings

PUBLIC_SCHEMAS = ("marts",)
PUBLISHED_SCHEMAS = (*PUBLIC_SCHEMAS, "reference")
MONITORING_TABLES = ("raw.raw_load_audit", "raw.raw_quarantine", "quality.dq_results")


def public_relations(conn: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] = PUBLIC_SCHEMAS) -> list[str]:
    """`schema.table` of every table in `schemas` plus the load monitoring tables, in a stable order."""
    schemas = ", ".join(f"'{s}'" for s in schemas)
    marts = [
        name
        for (name,) in conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            f"where table_schema in ({schemas}) order by 1"
        ).fetchall()
    ]
    present = {
        name
        for (name,) in conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'quality')"
        ).fetchall()
    }
    return marts + [t for t in MONITORING_TABLES if t in present]


def project_version() -> dict[str, str | None]:
    try:
        package = version("retention-warehouse")
    except PackageNotFoundError:
        package = None
    if package is None:
        text = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
        package = next((line.split('"')[1] for line in text.splitlines() if line.startswith("version")), None)
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {"version": package, "git_commit": commit}


def _as_of_date(conn: duckdb.DuckDBPyConnection, catalog: str) -> str | None:
    try:
        value = conn.execute(f"select max(as_of_date) from {catalog}.intermediate.int_as_of_date").fetchone()[0]
    except duckdb.Error:
        return None
    return value.isoformat() if value else None


def write_published_file(source: Path, target: Path, config: dict[str, str]) -> str | None:
    """Copy the published relations of the working file `source` into a new file `target`; return the as-of date."""
    with duckdb.connect(str(source), config=config) as conn:
        conn.execute("checkpoint")  # fold the WAL into the file, so the copy reads one consistent file
    with duckdb.connect(str(target), config=config) as conn:
        conn.execute(f"attach '{source}' as working (read_only)")
        relations = public_relations(conn, PUBLISHED_SCHEMAS)  # target is empty: these are the working file's
        as_of = _as_of_date(conn, "working")
        definitions = dict(
            conn.execute(
                "select schema_name || '.' || table_name, sql from duckdb_tables() where database_name = 'working'"
            ).fetchall()
        )
        for schema in sorted({relation.split(".")[0] for relation in relations}):
            conn.execute(f"create schema {schema}")
        for relation in relations:
            if relation in definitions:
                conn.execute(definitions[relation])  # the same columns, types and constraints, in target
                conn.execute(f"insert into {relation} select * from working.{relation}")
            else:  # a model materialized as a view: its rows, as a table (what it reads is not published)
                conn.execute(f"create table {relation} as select * from working.{relation}")
        conn.execute("detach working")
    return as_of


def publish(settings: Settings, data_quality: dict | None = None, user_vars: dict | None = None) -> dict:
    source = settings.work_db_path
    state = build_state(settings, user_vars)  # before the copy: what this publication was built from
    published = settings.published_dir
    published.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}.{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
    staging_db = published / f".retention.duckdb.{token}.tmp"
    staging_parquet = published / f".parquet.{token}.tmp"

    try:
        as_of = write_published_file(source, staging_db, settings.duckdb_config)
        staging_parquet.mkdir()
        with duckdb.connect(str(staging_db), read_only=True) as conn:
            relations = public_relations(conn)
            row_counts = {}
            for relation in relations:
                row_counts[relation] = conn.execute(f"select count(*) from {relation}").fetchone()[0]
                file = staging_parquet / f"{relation.split('.')[-1]}.parquet"
                conn.execute(f"copy {relation} to '{file}' (format parquet, compression zstd)")
        os.replace(staging_db, settings.published_db_path)
        _swap_folder(staging_parquet, published / "parquet")
        docs = data_docs_dir(settings.quality_dir)
        if docs.is_dir():
            staging_docs = published / f".quality.{token}.tmp"
            shutil.copytree(docs, staging_docs)
            _swap_folder(staging_docs, published / "quality")
    finally:
        staging_db.unlink(missing_ok=True)
        staging_db.with_name(staging_db.name + ".wal").unlink(missing_ok=True)
        shutil.rmtree(staging_parquet, ignore_errors=True)

    manifest = {
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "as_of_date": as_of,
        "database": str(settings.published_db_path),
        "parquet_dir": str(published / "parquet"),
        "data_docs": str(published / "quality" / "index.html"),
        "project": project_version(),
        "timezone": settings.timezone,
        "data_quality": data_quality or {},
        "row_counts": row_counts,
        "dbt_vars_set": sorted(user_vars or {}),  # names only: a value may be a secret (id_salt)
        "build_state": state,
    }
    write_atomically(published / "manifest.json", json.dumps(manifest, indent=2, default=str))
    return manifest


def _swap_folder(new: Path, target: Path) -> None:
    old = target.with_name(f".{target.name}.old.{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def write_atomically(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)
