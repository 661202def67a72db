"""Publish the working warehouse for people and BI tools: one version at a time, switched whole, never in place.

Every publication is written into a folder of its own, `published/versions/<version>/`:

- `retention.duckdb`: only what BI tools read: the public models (schema `marts`), the seeds they join
  (`reference`), the load monitoring tables and the check results. The raw, staging and intermediate layers stay
  in the working file: `raw` holds the source user ids, and the working file is six times the size
  (docs/benchmarks.md). The quarantine is published without the raw records (which hold source user ids, IP
  addresses, user agents): file, row number, reason and the pseudonymous user key when the record has a user id,
  as the dbt model `stg_app__quarantined_rows` has them;
- `parquet/`: every public model and the load monitoring tables, exported from that file;
- `quality/`: the Great Expectations Data Docs of the checks, with their scripts and styles served from the folder
  (expectations/data_docs.py), so they render offline;
- `manifest.json`: when, the as-of date, the data-quality status, the row counts;
- `report.html` and `at_risk_users.csv`: written by the caller's `before_switch` (the Dagster publication renders
  the report and the at-risk list there).

The folder is built as `<version>.tmp`, renamed when complete, and only then made visible by one atomic step: the
symlink `published/current` is replaced by a new one pointing at it (rename of a symlink, atomic on one file
system). The stable paths `published/retention.duckdb`, `manifest.json`, `parquet`, `quality`, `report.html` and
`at_risk_users.csv` are symlinks into `current`, so a reader that opens any of them after the switch sees the new
version, all six parts of it, and one that opened them before keeps the old one (its open files are the old
inodes; the previous version is kept until the next publication). Publication holds the warehouse's refresh
lock; it removes what a killed publication left (incomplete version folders, temporary files) and every version
but the current and the previous one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from expectations.data_docs import make_offline
from expectations.runner import data_docs_dir
from retention_warehouse.build_state import build_state
from retention_warehouse.refresh_lock import refresh_lock
from retention_warehouse.settings import REPO_ROOT, Settings

PUBLIC_SCHEMAS = ("marts",)
PUBLISHED_SCHEMAS = (*PUBLIC_SCHEMAS, "reference")
MONITORING_TABLES = ("raw.raw_load_audit", "raw.raw_quarantine", "quality.dq_results")
VERSIONS = "versions"
CURRENT = "current"
PREVIOUS = "previous"
# What users and BI tools open: each is a symlink `published/<name>` -> `current/<name>`.
STABLE_NAMES = ("retention.duckdb", "manifest.json", "parquet", "quality", "report.html", "at_risk_users.csv")


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


# The published quarantine: the dbt model that drops the raw records and pseudonymises their user ids.
PUBLISHED_QUARANTINE = "staging.stg_app__quarantined_rows"


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
            if relation == "raw.raw_quarantine":  # the raw records hold source ids: they stay in the working file
                conn.execute(f"create table {relation} as select * from working.{PUBLISHED_QUARANTINE} order by all")
            elif relation in definitions:
                conn.execute(definitions[relation])  # the same columns, types and constraints, in target
                conn.execute(f"insert into {relation} select * from working.{relation}")
            else:  # a model materialized as a view: its rows, as a table (what it reads is not published)
                conn.execute(f"create table {relation} as select * from working.{relation}")
        conn.execute("detach working")
    return as_of


def publish(
    settings: Settings,
    data_quality: dict | None = None,
    before_switch: Callable[[Path, dict], None] | None = None,
    user_vars: dict | None = None,
) -> dict:
    """Write a new version folder and switch `published/current` to it; `before_switch(folder, manifest)` adds to
    the folder (the report) before anyone can see it. Returns the manifest."""
    published = settings.published_dir
    with refresh_lock(settings.warehouse_dir):
        published.mkdir(parents=True, exist_ok=True)
        remove_stale(published)
        state = build_state(settings, user_vars)  # before the copy: what this publication was built from
        token = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{os.getpid()}"
        versions = published / VERSIONS
        versions.mkdir(exist_ok=True)
        building, final = versions / f"{token}.tmp", versions / token
        building.mkdir()
        try:
            as_of = write_published_file(settings.work_db_path, building / "retention.duckdb", settings.duckdb_config)
            (building / "parquet").mkdir()
            with duckdb.connect(str(building / "retention.duckdb"), read_only=True) as conn:
                row_counts = {}
                for relation in public_relations(conn):
                    row_counts[relation] = conn.execute(f"select count(*) from {relation}").fetchone()[0]
                    file = building / "parquet" / f"{relation.split('.')[-1]}.parquet"
                    conn.execute(f"copy {relation} to '{file}' (format parquet, compression zstd)")
            docs = data_docs_dir(settings.quality_dir)
            remote_assets: dict[str, list[str]] = {}
            if docs.is_dir():
                shutil.copytree(docs, building / "quality")
                remote_assets = make_offline(building / "quality")
            manifest = {
                "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "version": token,
                "as_of_date": as_of,
                "database": str(settings.published_db_path),
                "parquet_dir": str(published / "parquet"),
                "data_docs": str(published / "quality" / "index.html"),
                "data_docs_remote_assets": remote_assets,  # pages that still load from the network (none expected)
                "report": str(published / "report.html"),
                "at_risk_list": str(published / "at_risk_users.csv"),
                "project": project_version(),
                "timezone": settings.timezone,
                "data_quality": data_quality or {},
                "row_counts": row_counts,
                "dbt_vars_set": sorted(user_vars or {}),  # names only: a value may be a secret (id_salt)
                "build_state": state,
            }
            write_atomically(building / "manifest.json", json.dumps(manifest, indent=2, default=str))
            if before_switch is not None:
                before_switch(building, manifest)
            os.replace(building, final)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        switch_to(published, final)
        remove_stale(published)
    return manifest


def current_version(published: Path, link: str = CURRENT) -> Path | None:
    """The version folder `published/current` (or `previous`) points at, if any."""
    path = published / link
    return (published / os.readlink(path)) if path.is_symlink() else None


def switch_to(published: Path, version: Path) -> None:
    """Make `version` the published one in one atomic step, and keep the one it replaces as `previous`."""
    before = current_version(published)
    if before is not None and before.name != version.name:  # first, so a kill between the two keeps both
        _point(published / PREVIOUS, Path(VERSIONS) / before.name)
    _point(published / CURRENT, Path(VERSIONS) / version.name)
    for name in STABLE_NAMES:  # in place after the first publication: a switch does not touch them
        link = published / name
        target = Path(CURRENT) / name
        if not (version / name).exists():  # a version without it (no report rendered): no link to nothing
            if link.is_symlink():
                link.unlink()
        elif not (link.is_symlink() and Path(os.readlink(link)) == target):
            _point(link, target)


def remove_stale(published: Path) -> None:
    """Remove every version but the current and the previous one, and what a killed publication left."""
    keep = {path.name for path in (current_version(published), current_version(published, PREVIOUS)) if path}
    versions = published / VERSIONS
    if versions.is_dir():
        for entry in versions.iterdir():
            if entry.name not in keep:
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for entry in published.iterdir():  # temporary files and set-aside folders: always dot-names
        if entry.name.startswith(".") and (".tmp" in entry.name or ".old." in entry.name):
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()


def _point(link: Path, target: Path) -> None:
    """Replace `link` by a symlink to `target` (relative to the link's folder) with one rename."""
    staging = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    os.symlink(target, staging)
    if link.is_dir() and not link.is_symlink():  # a folder a rename cannot replace: set it aside first
        old = link.with_name(f".{link.name}.old.{os.getpid()}")
        os.replace(link, old)
        os.replace(staging, link)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, link)


def write_atomically(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)
