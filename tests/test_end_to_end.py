"""End to end: the real Dagster job on a hand-made dataset, retention values worked out by hand.

Data (UTC, reporting time zone UTC):
  alice  users feed, signup 2026-03-02 09:00   active Mar 2, Mar 3 (a like), Mar 5
  bob    users feed, signup 2026-03-02 22:00   active Mar 2, Mar 4; a push on Mar 3 (passive: not active)
  carol  users feed, signup 2026-03-03 10:00   active Mar 3, Mar 4, Mar 5 (23:30)
  dave   not in the users feed: signup = first event, Mar 3 12:00   active Mar 3 only
  one event without a user id: quarantined, the rest of its file loads.
As-of date = last activity day = Mar 5.
  cohort Mar 2 {alice, bob}: day 0 2/2, day 1 {alice} 1/2 (bob's push does not count), day 2 {bob} 1/2,
                             day 3 {alice} 1/2, day 4 = Mar 6 > as-of: immature (NULL).
  cohort Mar 3 {carol, dave}: day 0 2/2, day 1 {carol} 1/2, day 2 {carol} 1/2, days 3-4 (Mar 6-7): immature.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from retention_warehouse.settings import REPO_ROOT

EXPECTED = {  # (cohort_start, day) -> (cohort_size, retained_users, retention_rate, is_mature)
    ("2026-03-02", 0): (2, 2, 1.0, True),
    ("2026-03-02", 1): (2, 1, 0.5, True),
    ("2026-03-02", 2): (2, 1, 0.5, True),
    ("2026-03-02", 3): (2, 1, 0.5, True),
    ("2026-03-02", 4): (2, None, None, False),
    ("2026-03-03", 0): (2, 2, 1.0, True),
    ("2026-03-03", 1): (2, 1, 0.5, True),
    ("2026-03-03", 2): (2, 1, 0.5, True),
    ("2026-03-03", 3): (2, None, None, False),
    ("2026-03-03", 4): (2, None, None, False),
}


def write_hand_made_landing(landing: Path) -> None:
    for feed in ("events", "users"):
        (landing / feed).mkdir(parents=True, exist_ok=True)
    (landing / "users" / "users.csv").write_text(
        "user_id,signup_time,acquisition_channel\n"
        "alice,2026-03-02T09:00:00Z,organic\n"
        "bob,2026-03-02T22:00:00Z,paid_social\n"
        "carol,2026-03-03T10:00:00+00:00,organic\n",
        encoding="utf-8",
    )
    # Three formats on purpose: CSV, JSON Lines and Parquet all land in raw.events.
    (landing / "events" / "day1.csv").write_text(
        "event_id,user_id,event_name,event_time\n"
        "e1,alice,app_open,2026-03-02T09:05:00Z\n"
        "e2,bob,app_open,2026-03-02 22:05:00\n"
        "e3,,app_open,2026-03-02T23:00:00Z\n",
        encoding="utf-8",
    )
    lines = [
        {"event_id": "e4", "user_id": "alice", "event_name": "like", "event_time": "2026-03-03T10:00:00Z"},
        {"event_id": "e5", "user_id": "bob", "event_name": "push_sent", "event_time": "2026-03-03T09:00:00Z"},
        {
            "event_id": "e6",
            "user_id": "carol",
            "event_name": "app_open",
            "event_time": "2026-03-03T10:05:00Z",
        },
        {
            "event_id": "e7",
            "user_id": "dave",
            "event_name": "content_view",
            "event_time": "2026-03-03T12:00:00Z",
        },
    ]
    (landing / "events" / "day2.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    pq.write_table(
        pa.table(
            {
                "event_id": ["e8", "e9", "e10", "e11"],
                "user_id": ["bob", "carol", "alice", "carol"],
                "event_name": ["app_open", "content_view", "app_open", "app_open"],
                # epoch milliseconds are accepted too: 1772658000000 = 2026-03-04T21:00:00Z
                "event_time": [
                    "1772658000000",
                    "2026-03-04T11:00:00Z",
                    "2026-03-05T08:00:00Z",
                    "2026-03-05T23:30:00Z",
                ],
            }
        ),
        landing / "events" / "day3.parquet",
    )


def _published_cells(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute(
            "select cast(cohort_start as varchar), period_number, cohort_size, retained_users, retention_rate, "
            "is_mature from marts.fct_cohort_retention "
            "where retention_definition = 'activity' and grain = 'day' and breakdown_name = 'all' "
            "and retention_type = 'n_period' and period_number <= 4"
        ).fetchall()
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def test_refresh_publishes_hand_worked_retention_and_is_repeatable(workspace, run_refresh):
    write_hand_made_landing(workspace["landing"])
    assert run_refresh() == 0

    published = workspace["warehouse"] / "published" / "retention.duckdb"
    assert published.exists()
    assert _published_cells(published) == EXPECTED

    with duckdb.connect(str(published), read_only=True) as conn:
        quarantined = conn.execute("select source_file, row_number, reason_code from raw.raw_quarantine").fetchall()
        audit = conn.execute(
            "select sum(rows_read), sum(rows_accepted), sum(rows_quarantined), sum(rows_duplicate) "
            "from raw.raw_load_audit where feed = 'events'"
        ).fetchone()
    assert [(Path(f).name, n, r) for f, n, r in quarantined] == [("day1.csv", 3, "missing_required_value")]
    assert audit == (11, 10, 1, 0)

    # A second run over the same folder: no lock error, nothing loaded twice, same published values.
    assert run_refresh() == 0
    assert _published_cells(published) == EXPECTED
    with duckdb.connect(str(published), read_only=True) as conn:
        audit = conn.execute("select count(*), sum(rows_accepted) filter (feed = 'events') from raw.raw_load_audit")
        assert audit.fetchone() == (4, 10)
        # BI tools open this file: it holds the public models and load monitoring, never the source ids of raw
        schemas = conn.execute("select distinct table_schema from information_schema.tables order by 1").fetchall()
        raw_tables = conn.execute("select table_name from information_schema.tables where table_schema = 'raw'")
        assert [s for (s,) in schemas] == ["marts", "quality", "raw", "reference"]
        assert sorted(t for (t,) in raw_tables.fetchall()) == ["raw_load_audit", "raw_quarantine"]
    with duckdb.connect(str(workspace["warehouse"] / "work" / "retention.duckdb"), read_only=True) as conn:
        assert conn.execute("select count(*) from raw.events").fetchone()[0] == 10  # loaded once, in the work file

    # The dbt unit tests (hand-worked rows in the models' yml) run against this built warehouse.
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [
            str(dbt),
            "test",
            "--select",
            "test_type:unit",
            "--target-path",  # its own: the shared target/ holds the manifest Dagster and MetricFlow read
            str(workspace["warehouse"] / "dbt_target"),
            "--project-dir",
            str(REPO_ROOT),
            "--profiles-dir",
            str(REPO_ROOT),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={
            **__import__("os").environ,
            "RW_DUCKDB_PATH": str(workspace["warehouse"] / "work" / "retention.duckdb"),
        },
    )
    assert result.returncode == 0, result.stdout[-3000:]
    # Every unit test of the project ran and passed (the count comes from the manifest, so adding tests is safe).
    manifest = json.loads((workspace["warehouse"] / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    unit_tests = len(manifest.get("unit_tests", {}))
    assert unit_tests >= 2
    # dbt counts the on-run-start hooks (the vars check, macros/config_check.sql) among the passes
    hooks = sum(1 for node in manifest["nodes"].values() if node["resource_type"] == "operation")
    assert f"PASS={unit_tests + hooks} " in result.stdout and "ERROR=0" in result.stdout


def test_a_failing_blocking_check_keeps_the_previous_published_file(workspace, run_refresh, monkeypatch):
    write_hand_made_landing(workspace["landing"])
    assert run_refresh() == 0
    published = workspace["warehouse"] / "published" / "retention.duckdb"
    before = published.read_bytes()

    # Corrupt the mart the way a bug would (a rate of 1.5) by making the GX suite see it.
    import expectations.runner as runner

    real_read = runner.read_query

    def corrupted(db_path, sql, max_rows=None):
        frame = real_read(db_path, sql, max_rows=max_rows)
        if "fct_cohort_retention" in sql:
            frame.loc[0, "retention_rate"] = 1.5
        return frame

    monkeypatch.setattr("orchestration.checks.quality.read_query", corrupted)
    # A new day, so that the refresh has something to build and check.
    (workspace["landing"] / "events" / "day4.csv").write_text(
        "event_id,user_id,event_name,event_time\ne12,alice,app_open,2026-03-06T08:00:00Z\n", encoding="utf-8"
    )
    assert run_refresh() == 1
    assert published.read_bytes() == before

    # quality.dq_results in the working warehouse records the failed run: that check failed, the others ran. (The
    # hand-made data fits few of the default funnels, so both runs also carry the definitions warning.)
    with duckdb.connect(str(workspace["warehouse"] / "work" / "retention.duckdb"), read_only=True) as conn:
        runs = conn.execute(
            "select run_id, bool_and(passed or severity <> 'error'), count(*) from quality.dq_results "
            "group by 1 order by min(checked_at)"
        ).fetchall()
        failed = conn.execute(
            "select asset, check_name, severity, observed_value from quality.dq_results "
            "where not passed and severity = 'error'"
        ).fetchall()
        warned = conn.execute(
            "select distinct check_name from quality.dq_results where not passed and severity = 'warn'"
        ).fetchall()
    assert [(ok, n > 30) for _, ok, n in runs] == [(True, True), (False, True)]
    assert [(a, c, s) for a, c, s, _ in failed] == [("fct_cohort_retention", "gx_fct_cohort_retention", "error")]
    assert "expect_column_values_to_be_between(retention_rate)" in failed[0][3]
    assert warned == [("definitions_match_events",)]
