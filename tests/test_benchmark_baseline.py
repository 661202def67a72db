"""The pandas baseline of `make bench` (docs/benchmarks.md), on a hand-worked landing folder, and the GX row cap."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from expectations.runner import read_query
from retention_warehouse.benchmarks.pandas_retention import daily_cohort_retention


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_pandas_baseline_counts_d1_d7_d30_by_signup_day(tmp_path):
    """u1 signs up Mar 1: active Mar 2 (D1) and Mar 8 (D7); a push on Mar 31 is passive, so no D30.
    u2 signs up Mar 1 at 23:00 UTC: active Mar 2 at 01:00 (D1, UTC days) and Mar 31 (D30).
    u3 signs up Mar 2: only a push the next day, so no D1.
    Cohort Mar 1: 2 users, D1 2, D7 1, D30 1. Cohort Mar 2: 1 user, D1 0, D7 0, D30 0."""
    (tmp_path / "events").mkdir()
    (tmp_path / "users").mkdir()
    pd.DataFrame(
        {
            "user_id": ["u1", "u2", "u3"],
            "signup_time": ["2025-03-01T10:00:00Z", "2025-03-01T23:00:00Z", "2025-03-02T08:00:00Z"],
        }
    ).to_csv(tmp_path / "users" / "users.csv", index=False)
    rows = [
        ("u1", "app_open", "2025-03-01T10:01:00"),
        ("u1", "like", "2025-03-02T12:00:00"),
        ("u1", "app_open", "2025-03-08T09:00:00"),
        ("u1", "push_sent", "2025-03-31T09:00:00"),
        ("u2", "app_open", "2025-03-02T01:00:00"),
        ("u2", "app_open", "2025-03-31T20:00:00"),
        ("u3", "app_open", "2025-03-02T08:01:00"),
        ("u3", "push_sent", "2025-03-03T09:00:00"),
    ]
    table = pa.table(
        {
            "user_id": [r[0] for r in rows],
            "event_name": [r[1] for r in rows],
            "event_time": pa.array([_ts(r[2]) for r in rows], pa.timestamp("ms", tz="UTC")),
        }
    )
    pq.write_table(table, tmp_path / "events" / "events.parquet")

    result = daily_cohort_retention(tmp_path)
    got = {str(row.cohort_date.date()): (row.cohort_users, row.d1, row.d7, row.d30) for row in result.itertuples()}
    assert got == {"2025-03-01": (2, 2, 1, 1), "2025-03-02": (1, 0, 0, 0)}


def test_gx_reads_at_most_the_row_cap(tmp_path):
    database = tmp_path / "retention.duckdb"
    with duckdb.connect(str(database)) as conn:
        conn.execute("create table t as select range as n from range(5000)")
    assert len(read_query(database, "select * from t", max_rows=300)) == 300
    assert len(read_query(database, "select * from t", max_rows=10_000)) == 5000  # fewer rows: all of them
