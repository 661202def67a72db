"""Blue/green publication: a reader holding the published file open keeps one consistent version while a refresh
replaces it, the refresh is not blocked, and a new connection sees the new version."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import duckdb

from retention_warehouse.publish import write_published_file
from tests.test_end_to_end import write_hand_made_landing

READER = textwrap.dedent(
    """
    import json, sys, duckdb
    conn = duckdb.connect(sys.argv[1], read_only=True)
    def snapshot():
        # Two tables that change together in a refresh: the audit's accepted events and the mart's last day.
        return conn.execute(
            "select (select sum(rows_accepted) from raw.raw_load_audit where feed = 'events'), "
            "(select cast(max(activity_date) as varchar) from marts.fct_engagement_daily)").fetchone()
    print(json.dumps(snapshot()), flush=True)
    sys.stdin.readline()
    print(json.dumps(snapshot()), flush=True)
    """
)


def _snapshot(path) -> list:
    result = subprocess.run(
        [sys.executable, "-c", READER, str(path)], input="\n", capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_refresh_succeeds_while_a_reader_holds_the_published_file(workspace, run_refresh):
    write_hand_made_landing(workspace["landing"])
    assert run_refresh() == 0
    published = workspace["warehouse"] / "published" / "retention.duckdb"
    assert _snapshot(published) == [10, "2026-03-05"]

    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        before = json.loads(reader.stdout.readline())
        (workspace["landing"] / "events" / "day4.csv").write_text(
            "event_id,user_id,event_name,event_time\ne12,alice,app_open,2026-03-06T08:00:00Z\n"
            "e13,bob,app_open,2026-03-06T09:00:00Z\n",
            encoding="utf-8",
        )
        assert run_refresh() == 0  # not blocked by the open reader
        reader.stdin.write("\n")
        reader.stdin.flush()
        during = json.loads(reader.stdout.readline())
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert before == during == [10, "2026-03-05"]  # the old version, whole
    assert _snapshot(published) == [12, "2026-03-06"]  # a new connection sees the new version, whole
    manifest = json.loads((published.parent / "manifest.json").read_text())
    assert manifest["as_of_date"] == "2026-03-06"
    # passed, or a warning only: the hand-made events fit few of the default funnels
    assert manifest["data_quality"]["status"] in ("passed", "warn")
    assert all(":definitions_match_events:" in w for w in manifest["data_quality"]["warnings"])
    assert manifest["row_counts"]["marts.fct_cohort_retention"] > 0


def test_the_published_file_holds_the_public_tables_only(tmp_path):
    work, target = tmp_path / "retention.duckdb", tmp_path / "published.duckdb"
    with duckdb.connect(str(work)) as conn:
        for schema in ("raw", "staging", "intermediate", "marts", "reference", "quality"):
            conn.execute(f"create schema {schema}")
        conn.execute("create table raw.events as select 'alice' as user_id")
        conn.execute("create table raw.raw_load_audit as select 'day1.csv' as source_file, 1 as rows_accepted")
        conn.execute("create table intermediate.int_as_of_date as select date '2026-03-05' as as_of_date")
        conn.execute("create view staging.stg_users as select 'k1' as user_key")
        conn.execute("create table marts.dim_users (user_key varchar not null, cohort_size bigint)")
        conn.execute("insert into marts.dim_users values ('k1', 1), ('k2', 2)")
        conn.execute("create view marts.v_user_keys as select user_key from staging.stg_users")
        conn.execute("create table reference.kpi_targets as select 'dau' as metric_name")
    assert write_published_file(work, target, {}) == "2026-03-05"
    with duckdb.connect(str(target), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema || '.' || table_name, table_type from information_schema.tables order by 1"
        ).fetchall()
        assert tables == [
            ("marts.dim_users", "BASE TABLE"),
            ("marts.v_user_keys", "BASE TABLE"),  # a view's rows: what it reads stays in the working file
            ("raw.raw_load_audit", "BASE TABLE"),
            ("reference.kpi_targets", "BASE TABLE"),
        ]
        assert conn.execute("select * from marts.dim_users order by 1").fetchall() == [("k1", 1), ("k2", 2)]
        assert conn.execute("select * from marts.v_user_keys").fetchall() == [("k1",)]
        constraints = conn.execute(
            "select constraint_type, constraint_column_names from duckdb_constraints() where table_name = 'dim_users'"
        ).fetchall()
        assert constraints == [("NOT NULL", ["user_key"])]  # the table's definition came with it
