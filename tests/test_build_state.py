"""A refresh has nothing to do exactly when every landing file is loaded and the working warehouse's state (raw
loads, project, settings) is the one the published manifest records."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from retention_warehouse.build_state import build_state, nothing_new, project_fingerprint
from retention_warehouse.ingestion import ensure_raw_schema
from retention_warehouse.settings import load_settings


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RW_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("RW_WAREHOUSE_DIR", str(tmp_path / "wh"))
    for name in ("RW_DUCKDB_PATH", "DAGSTER_HOME", "RW_ID_SALT", "RW_TIMEZONE", "RW_ANOMALY_SIGMA"):
        monkeypatch.delenv(name, raising=False)
    events = tmp_path / "landing" / "events"
    events.mkdir(parents=True)
    day = events / "day1.csv"
    day.write_text("event_id,user_id,event_name,event_time\ne1,u1,app_open,2026-01-05T08:00:00Z\n")
    settings = load_settings()
    settings.work_db_path.parent.mkdir(parents=True)
    with duckdb.connect(str(settings.work_db_path)) as conn:
        ensure_raw_schema(conn)
        conn.execute(
            "insert into raw.raw_load_audit values ('l1', 'events', ?, ?, 1, 1, 0, 0, 0, 'loaded', "
            "timestamp '2026-01-06 00:00:00', 'contract')",
            [str(day), hashlib.sha256(day.read_bytes()).hexdigest()],
        )
    settings.published_dir.mkdir(parents=True)
    manifest = {"data_quality": {"status": "passed"}, "build_state": build_state(settings)}
    (settings.published_dir / "manifest.json").write_text(json.dumps(manifest))
    return settings, events


def test_nothing_new_when_every_file_is_loaded_and_the_state_is_the_published_one(warehouse):
    settings, _ = warehouse
    assert nothing_new(settings)


def test_a_file_not_loaded_yet_is_new(warehouse):
    settings, events = warehouse
    (events / "day2.csv").write_text("event_id,user_id,event_name,event_time\ne2,u1,app_open,2026-01-06T08:00:00Z\n")
    assert not nothing_new(settings)


def test_a_file_corrected_under_its_old_name_is_new(warehouse):
    settings, events = warehouse
    (events / "day1.csv").write_text("event_id,user_id,event_name,event_time\ne1,u1,like,2026-01-05T08:00:00Z\n")
    assert not nothing_new(settings)


def test_another_setting_than_the_published_builds_is_new(warehouse, monkeypatch):
    monkeypatch.setenv("RW_TIMEZONE", "Asia/Shanghai")
    assert not nothing_new(load_settings())


def test_a_failed_or_missing_publication_is_never_nothing_new(warehouse):
    settings, _ = warehouse
    manifest = settings.published_dir / "manifest.json"
    manifest.write_text(json.dumps({"data_quality": {"status": "failed"}, "build_state": build_state(settings)}))
    assert not nothing_new(settings)
    manifest.unlink()
    assert not nothing_new(settings)


def test_the_project_fingerprint_follows_every_model_file(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: p\n")
    model = tmp_path / "models" / "m.sql"
    model.write_text("select 1 as x\n")
    before = project_fingerprint(tmp_path)
    assert project_fingerprint(tmp_path) == before
    model.write_text("select 2 as x\n")
    assert project_fingerprint(tmp_path) != before
