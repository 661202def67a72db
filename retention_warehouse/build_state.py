"""What a build is made from: the raw loads, the project (dbt and the quality suites) and the settings.

Two equal states build the same warehouse, so a refresh whose state equals the one recorded in the published
manifest (`build_state`) has nothing to do: no dbt work, no checks, no publish. The publisher records the state
only after the build and its blocking checks passed, so a failed run is retried in full by the next one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from retention_warehouse.ingestion import file_sha256, landing_files
from retention_warehouse.settings import REPO_ROOT, Settings, dbt_environment

PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml")
PROJECT_FOLDERS = ("models", "macros", "seeds", "expectations", "orchestration/checks")


def project_fingerprint(root: Path = REPO_ROOT) -> str:
    """SHA-256 of every file that shapes a build and its checks (dbt's project, the GX suites, the checks)."""
    digest = hashlib.sha256()
    paths = [root / name for name in PROJECT_FILES] + sorted(
        path
        for folder in PROJECT_FOLDERS
        for path in (root / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def raw_loads(conn: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """How many files the raw layer has taken (loaded or quarantined whole) and the newest load time."""
    count, newest = conn.execute("select count(*), max(loaded_at) from raw.raw_load_audit").fetchone()
    return {"files": count, "loaded_through": newest.isoformat() if newest else None}


def build_state(settings: Settings, user_vars: dict | None = None) -> dict[str, object]:
    with duckdb.connect(str(settings.work_db_path), read_only=True, config=settings.duckdb_config) as conn:
        loads = raw_loads(conn)
    # What dbt reads (resolved, so an unset variable and its default agree) and the checks' knobs; not the memory
    # limit (it changes how, not what, is built), nor the landing folder (the raw loads stand for it).
    knobs = {k: v for k, v in dbt_environment(settings).items() if k != "RW_DUCKDB_MEMORY_LIMIT"}
    knobs |= {"gx_max_rows": settings.gx_max_rows, "anomaly_sigma": settings.anomaly_sigma, "vars": user_vars or {}}
    return {
        "raw": loads,
        "project": project_fingerprint(),
        "settings": hashlib.sha256(json.dumps(knobs, sort_keys=True, default=str).encode()).hexdigest(),
    }


def already_published(settings: Settings, user_vars: dict | None = None) -> bool:
    """True when the working warehouse's state (raw loads, project, settings) is the published build's: building
    it again would publish the same tables. The dbt step asks this after the load."""
    published = published_state(settings)
    return published is not None and settings.work_db_path.exists() and build_state(settings, user_vars) == published


def nothing_new(settings: Settings, user_vars: dict | None = None) -> bool:
    """True when a refresh would change nothing: every landing file has its audit line (the same content loaded
    under that name, or recorded as a copy of a file loaded before) and the state of the working warehouse is the
    published build's. Asked before a run starts (cli.run, the daily schedule)."""
    if not already_published(settings, user_vars):
        return False
    with duckdb.connect(str(settings.work_db_path), read_only=True, config=settings.duckdb_config) as conn:
        audited = set(conn.execute("select feed, file_sha256, source_file from raw.raw_load_audit").fetchall())
    landing = landing_files(settings.landing_dir)
    return all((spec.feed, file_sha256(path), str(path)) in audited for spec, path in landing)


def published_state(settings: Settings) -> dict[str, object] | None:
    """The state of the build in the published manifest, or None (nothing published, or a build that failed)."""
    path = settings.published_dir / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("data_quality", {}).get("status") == "failed":
        return None
    return manifest.get("build_state")
