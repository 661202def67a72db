"""Publication on a small hand-made working file: one version switched whole, leftovers of a killed publication
removed, one refresh at a time per warehouse, and no raw record of the quarantine in what is published."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest

from retention_warehouse.ingestion import ensure_raw_schema
from retention_warehouse.publish import publish
from retention_warehouse.settings import Settings

PLANTED_USER_ID = "src-user-8812"
PLANTED_IP = "203.0.113.77"
PLANTED_AGENT = "Mozilla/5.0 (PlantedAgent/9.1)"
STABLE = ("retention.duckdb", "manifest.json", "parquet", "quality", "report.html")


def _settings(tmp_path: Path) -> Settings:
    return Settings(landing_dir=tmp_path / "landing", warehouse_dir=tmp_path / "wh", id_salt="test-salt")


def _working_file(settings: Settings, day: int) -> None:
    """A working file as the pipeline leaves it, whose mart and as-of date change with `day`."""
    settings.work_db_path.parent.mkdir(parents=True, exist_ok=True)
    docs = settings.quality_dir / "gx" / "uncommitted" / "data_docs" / "local_site"
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "index.html").write_text(f"<p>checks of day {day}</p>", encoding="utf-8")
    with duckdb.connect(str(settings.work_db_path)) as conn:
        ensure_raw_schema(conn)
        for schema in ("staging", "intermediate", "marts", "reference", "quality"):
            conn.execute(f"create schema if not exists {schema}")
        # stands in for the dbt model stg_app__quarantined_rows (its keys are checked by its dbt unit test)
        conn.execute(
            """create or replace view staging.stg_app__quarantined_rows as
            select load_id, feed, source_file, row_number, reason_code, reason_detail, quarantined_at,
                   case when row_number = 3 then 'key-of-the-user' end as user_key
            from raw.raw_quarantine"""
        )
        conn.execute(f"create or replace table intermediate.int_as_of_date as select date '2026-03-0{day}' as_of_date")
        conn.execute(f"create or replace table marts.fct_daily as select range as d from range({day})")
        conn.execute("create or replace table reference.kpi_targets as select 'dau' as metric_name")
        conn.execute(
            "insert into raw.raw_load_audit values (?, 'events', ?, 'sha', 3, 2, 1, 0, 0, 'loaded', now()::timestamp, "
            "'contract')",
            [f"load{day}", f"/landing/events/day{day}.csv"],
        )
        record = json.dumps(
            {
                "event_id": f"e{day}",
                "User_ID": PLANTED_USER_ID,
                "ip": PLANTED_IP,
                "user_agent": PLANTED_AGENT,
                "event_time": "2099-01-01T00:00:00Z",
            }
        )
        conn.execute(
            "insert into raw.raw_quarantine values (?, 'events', ?, 3, ?, 'future_timestamp', "
            "'event_time = 2099-01-01T00:00:00Z', now()::timestamp)",
            [f"load{day}", f"/landing/events/day{day}.csv", record],
        )
        conn.execute(  # an unparsable line: no user key can be derived from it
            "insert into raw.raw_quarantine values (?, 'events', ?, 4, ?, 'malformed_csv_row', "
            "'3 fields where the header has 4', now()::timestamp)",
            [f"load{day}", f"/landing/events/day{day}.csv", f"e9,{PLANTED_USER_ID},{PLANTED_IP}"],
        )


def _report(folder: Path, manifest: dict) -> None:
    with duckdb.connect(str(folder / "retention.duckdb"), read_only=True) as conn:
        rows = conn.execute("select count(*) from marts.fct_daily").fetchone()[0]
    as_of = json.loads((folder / "manifest.json").read_text())["as_of_date"]
    (folder / "report.html").write_text(f"{as_of} {rows}", encoding="utf-8")


def _version_of(published: Path, name: str) -> Path:
    return Path(os.path.realpath(published / name)).parent


def test_the_database_manifest_parquet_docs_and_report_switch_together(tmp_path):
    settings = _settings(tmp_path)
    published = settings.published_dir
    seen_before_switch = []

    def report(folder: Path, manifest: dict) -> None:
        _report(folder, manifest)
        # not visible yet: the stable paths still show the version before this one (or nothing)
        seen_before_switch.append(
            (published / "manifest.json").exists() and json.loads((published / "manifest.json").read_text())["version"]
        )

    for day in (1, 2):
        _working_file(settings, day)
        manifest = publish(settings, data_quality={"status": "passed"}, before_switch=report)
        versions = {_version_of(published, name) for name in STABLE}
        assert len(versions) == 1, versions  # every stable path is in one version folder
        (version,) = versions
        assert version.name == manifest["version"] == json.loads((published / "manifest.json").read_text())["version"]
        assert version == Path(os.path.realpath(published / "current"))
        with duckdb.connect(str(published / "retention.duckdb"), read_only=True) as conn:
            assert conn.execute("select count(*) from marts.fct_daily").fetchone()[0] == day
        parquet = published / "parquet" / "fct_daily.parquet"
        assert duckdb.sql(f"select count(*) from '{parquet}'").fetchall()[0][0] == day
        assert (published / "quality" / "index.html").read_text() == f"<p>checks of day {day}</p>"
        assert (published / "report.html").read_text() == f"2026-03-0{day} {day}"  # rendered from this version
        assert manifest["as_of_date"] == f"2026-03-0{day}" and manifest["row_counts"]["marts.fct_daily"] == day
    assert seen_before_switch[0] is False
    assert seen_before_switch[1] == json.loads((published / "previous" / "manifest.json").read_text())["version"]


def test_a_reader_keeps_its_version_and_superseded_versions_are_removed(tmp_path):
    settings = _settings(tmp_path)
    published = settings.published_dir
    _working_file(settings, 1)
    first = publish(settings, before_switch=_report)["version"]
    reader = duckdb.connect(str(published / "retention.duckdb"), read_only=True)
    try:
        _working_file(settings, 2)
        second = publish(settings, before_switch=_report)["version"]  # not blocked by the reader
        assert reader.execute("select count(*) from marts.fct_daily").fetchone()[0] == 1  # its version, whole
        assert {p.name for p in (published / "versions").iterdir()} == {first, second}  # the previous one is kept
        _working_file(settings, 3)
        third = publish(settings, before_switch=_report)["version"]
        assert reader.execute("select count(*) from marts.fct_daily").fetchone()[0] == 1  # its open inode
    finally:
        reader.close()
    assert {p.name for p in (published / "versions").iterdir()} == {second, third}
    with duckdb.connect(str(published / "retention.duckdb"), read_only=True) as conn:
        assert conn.execute("select count(*) from marts.fct_daily").fetchone()[0] == 3


def test_a_killed_publication_leaves_nothing_behind_the_next_one(tmp_path):
    settings = _settings(tmp_path)
    published = settings.published_dir
    _working_file(settings, 1)
    first = publish(settings, before_switch=_report)["version"]
    # what a publication killed at each point leaves: a half-written folder, a complete one never switched to,
    # temporary files and links
    (published / "versions" / "20260101T000000000000Z-1.tmp" / "parquet").mkdir(parents=True)
    (published / "versions" / "20260101T000000000000Z-1.tmp" / "retention.duckdb").write_bytes(b"half")
    (published / "versions" / "20260101T000000000000Z-2").mkdir()
    (published / ".retention.duckdb.99.20260101.tmp").write_bytes(b"half")
    (published / ".retention.duckdb.99.20260101.tmp.wal").write_bytes(b"half")
    (published / ".manifest.json.99.tmp").write_text("{")
    (published / ".parquet.old.99").mkdir()
    os.symlink("versions/20260101T000000000000Z-2", published / ".current.99.tmp")
    _working_file(settings, 2)
    second = publish(settings, before_switch=_report)["version"]
    assert {p.name for p in (published / "versions").iterdir()} == {first, second}
    assert sorted(p.name for p in published.iterdir()) == sorted([*STABLE, "current", "previous", "versions"])


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from retention_warehouse.refresh_lock import refresh_lock
    with refresh_lock(Path(sys.argv[1])):
        print("held", flush=True)
        time.sleep(600)
    """
)


def _hold_lock(warehouse: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1]
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_one_refresh_at_a_time_and_a_killed_holder_releases_the_lock(tmp_path, monkeypatch, capsys):
    import cli.run

    warehouse = tmp_path / "wh"
    monkeypatch.setenv("RW_WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("RW_LANDING_DIR", str(tmp_path / "landing"))
    refreshed = []
    monkeypatch.setattr(cli.run, "_refresh", lambda settings, job, *run_vars: refreshed.append(job) or 0)

    holder = _hold_lock(warehouse)
    try:
        assert cli.run.main([]) == 1
        message = capsys.readouterr().err
        assert f"another refresh (pid {holder.pid}, started 20" in message
        assert "holds this warehouse" in message
        assert refreshed == []  # nothing started, Dagster's storage included
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    assert cli.run.main([]) == 0  # the OS released the killed holder's lock: never stale
    assert refreshed == ["retention_refresh"]

    holder = _hold_lock(warehouse)
    waiting = threading.Thread(target=lambda: refreshed.append(cli.run.main(["--wait"])))
    waiting.start()
    waiting.join(timeout=1)
    assert waiting.is_alive()  # --wait waits for the holder
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    waiting.join(timeout=30)
    assert refreshed[-2:] == ["retention_refresh", 0]


def test_publish_takes_the_refresh_lock(tmp_path):
    settings = _settings(tmp_path)
    _working_file(settings, 1)
    holder = _hold_lock(settings.warehouse_dir)
    try:
        with pytest.raises(RuntimeError, match=f"another refresh \\(pid {holder.pid}, "):
            publish(settings)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    assert not settings.published_dir.exists() or not (settings.published_dir / "current").exists()


def test_the_published_quarantine_has_no_raw_record(tmp_path):
    settings = _settings(tmp_path)
    _working_file(settings, 1)
    publish(settings)
    published = settings.published_dir
    planted = (PLANTED_USER_ID, PLANTED_IP, PLANTED_AGENT)
    with duckdb.connect(str(published / "retention.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "select source_file, row_number, reason_code, reason_detail, user_key from raw.raw_quarantine order by 2"
        ).fetchall()
        assert rows == [  # the model's rows, copied
            ("/landing/events/day1.csv", 3, "future_timestamp", "event_time = 2099-01-01T00:00:00Z", "key-of-the-user"),
            ("/landing/events/day1.csv", 4, "malformed_csv_row", "3 fields where the header has 4", None),
        ]
        relations = conn.execute(
            "select table_schema, table_name from information_schema.tables order by all"
        ).fetchall()
        text = " ".join(
            str(row)
            for schema, name in relations
            for row in conn.execute(f'select * from "{schema}"."{name}"').fetchall()
        )
    parquet = " ".join(
        str(row)
        for file in sorted((published / "parquet").glob("*.parquet"))
        for row in duckdb.sql(f"select * from '{file}'").fetchall()
    )
    assert "raw_quarantine.parquet" in {f.name for f in (published / "parquet").iterdir()}
    for value in planted:
        assert value not in text
        assert value not in parquet
    with duckdb.connect(str(settings.work_db_path), read_only=True) as conn:  # the working file keeps them
        assert PLANTED_IP in conn.execute("select string_agg(raw_record) from raw.raw_quarantine").fetchone()[0]


def test_a_folder_published_as_plain_files_becomes_the_versioned_layout(tmp_path):
    settings = _settings(tmp_path)
    published = settings.published_dir
    (published / "parquet").mkdir(parents=True)
    (published / "quality").mkdir()
    (published / "parquet" / "old.parquet").write_bytes(b"old")
    for name in ("retention.duckdb", "manifest.json", "report.html"):
        (published / name).write_text("old")
    _working_file(settings, 1)
    publish(settings, before_switch=_report)
    assert all((published / name).is_symlink() for name in STABLE)
    assert {_version_of(published, name) for name in STABLE} == {Path(os.path.realpath(published / "current"))}
    assert sorted(p.name for p in (published / "parquet").iterdir()) == [
        "fct_daily.parquet",
        "raw_load_audit.parquet",
        "raw_quarantine.parquet",
    ]
