"""Parquet files load in batches (retention_warehouse/ingestion.py `_load_batch`) with the result of loading them
one by one: the same raw rows, quarantine rows and audit counts, checked two ways:
  - against counts worked out by hand for a small landing with every case a batch has to get right;
  - against the file-by-file path (the careful loader, a second implementation) on the same files.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retention_warehouse import ingestion
from tests.loads import audit_counts

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
UTC_TS = pa.timestamp("ms", tz="UTC")


def _events(path: Path, rows: list[tuple], time_type: pa.DataType = UTC_TS) -> None:
    """rows: (event_id, user_id, event_name, event_time as datetime or text)."""
    ids, users, names, times = (list(column) for column in zip(*rows, strict=True)) if rows else ([], [], [], [])
    if time_type != pa.string():
        times = [t if t is None else datetime.fromisoformat(t) for t in times]
    table = pa.table(
        {
            "event_id": pa.array(ids, pa.string()),
            "user_id": pa.array(users, pa.string()),
            "event_name": pa.array(names, pa.string()),
            "event_time": pa.array(times, time_type),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


def _landing(root: Path) -> Path:
    """Seven files of the events feed, in path order:
    a: e1, e2, e3 (a day after the future limit), e4 (no user), e1 again            -> 2 accepted, 2 bad, 1 dup
    b: e2 (in a already), e5, e6 named AddToCart                                    -> 2 accepted, 1 dup
    c: e7 with the time as text (other column types: a batch of its own), e5 again -> 1 accepted, 1 dup
    d: not Parquet at all                                                           -> unreadable, whole file
    e: no rows                                                                      -> empty_file, whole file
    f: e8, e6 again (in the table by now: b loaded it)                                -> 1 accepted, 1 dup
    g: e9 with a naive timestamp column                                             -> 1 accepted
    """
    events = root / "events"
    _events(
        events / "a.parquet",
        [
            ("e1", "u1", "app_open", "2026-05-01T10:00:00+00:00"),
            ("e2", "u1", "like", "2026-05-01T11:00:00+00:00"),
            ("e3", "u2", "like", "2026-06-03T12:00:00+00:00"),
            ("e4", None, "like", "2026-05-01T12:00:00+00:00"),
            ("e1", "u1", "app_open", "2026-05-01T10:00:00+00:00"),
        ],
    )
    _events(
        events / "b.parquet",
        [
            ("e2", "u1", "like", "2026-05-01T11:00:00+00:00"),
            ("e5", "u2", "app_open", "2026-05-02T09:30:00+00:00"),
            ("e6", "u2", "AddToCart", "2026-05-02T09:31:00+00:00"),
        ],
    )
    _events(
        events / "c.parquet",
        [("e7", "u3", "app_open", "2026-05-03T08:00:00Z"), ("e5", "u2", "app_open", "2026-05-02T09:30:00Z")],
        pa.string(),
    )
    (events / "d.parquet").write_bytes(b"this is not a Parquet file")
    _events(events / "e.parquet", [])
    _events(
        events / "f.parquet",
        [("e8", "u3", "like", "2026-05-04T08:00:00+00:00"), ("e6", "u2", "x", "2026-05-04T09:00:00+00:00")],
    )
    _events(events / "g.parquet", [("e9", "u4", "app_open", "2026-05-05T07:00:00")], pa.timestamp("us"))
    return root


def _load(folder: Path, db: Path, one_by_one: bool, monkeypatch: pytest.MonkeyPatch) -> duckdb.DuckDBPyConnection:
    with monkeypatch.context() as patch:
        if one_by_one:
            patch.setattr(ingestion, "_batch_shape", lambda *_: None)
        conn = duckdb.connect(str(db))
        ingestion.load_landing(conn, folder, now=NOW)
    return conn


def test_a_batch_of_parquet_files_gives_the_counts_worked_out_by_hand(tmp_path, monkeypatch):
    conn = _load(_landing(tmp_path / "landing"), tmp_path / "w.duckdb", False, monkeypatch)
    assert audit_counts(conn) == {
        "a.parquet": (5, 2, 2, 1, "loaded"),
        "b.parquet": (3, 2, 0, 1, "loaded"),
        "c.parquet": (2, 1, 0, 1, "loaded"),
        "d.parquet": (0, 0, 0, 0, "quarantined"),
        "e.parquet": (0, 0, 0, 0, "quarantined"),
        "f.parquet": (2, 1, 0, 1, "loaded"),
        "g.parquet": (1, 1, 0, 0, "loaded"),
    }
    quarantined = conn.execute(
        "select regexp_extract(source_file, '[^/]+$'), row_number, reason_code from raw.raw_quarantine order by 1, 2"
    ).fetchall()
    assert quarantined == [
        ("a.parquet", 3, "future_timestamp"),
        ("a.parquet", 4, "missing_required_value"),
        ("d.parquet", None, "unreadable_file"),
        ("e.parquet", None, "empty_file"),
    ]
    accepted = conn.execute(
        "select event_id, event_name, cast(event_at as varchar), regexp_extract(_source_file, '[^/]+$'), _row_number "
        "from raw.events order by 1"
    ).fetchall()
    assert accepted == [
        ("e1", "app_open", "2026-05-01 10:00:00", "a.parquet", 1),
        ("e2", "like", "2026-05-01 11:00:00", "a.parquet", 2),
        ("e5", "app_open", "2026-05-02 09:30:00", "b.parquet", 2),
        ("e6", "add_to_cart", "2026-05-02 09:31:00", "b.parquet", 3),
        ("e7", "app_open", "2026-05-03 08:00:00", "c.parquet", 1),
        ("e8", "like", "2026-05-04 08:00:00", "f.parquet", 1),
        ("e9", "app_open", "2026-05-05 07:00:00", "g.parquet", 1),
    ]
    detail = conn.execute("select reason_detail, raw_record from raw.raw_quarantine where row_number = 3").fetchone()
    assert detail[0] == "event_time = 2026-06-03 12:00:00+00"
    assert '"event_time":"2026-06-03 12:00:00+00"' in detail[1]


def test_batches_equal_loading_file_by_file_also_on_a_second_delivery(tmp_path, monkeypatch):
    folder = _landing(tmp_path / "landing")
    batched = _load(folder, tmp_path / "batched.duckdb", False, monkeypatch)
    alone = _load(folder, tmp_path / "alone.duckdb", True, monkeypatch)
    # a second delivery: a redelivered event (e1), a new one, and a row the first run quarantined, now good (e4)
    _events(
        folder / "events" / "h.parquet",
        [
            ("e1", "u1", "app_open", "2026-05-01T10:00:00+00:00"),
            ("e10", "u5", "like", "2026-05-06T10:00:00+00:00"),
            ("e4", "u2", "like", "2026-05-01T12:00:00+00:00"),
        ],
    )
    for conn, one_by_one in ((batched, False), (alone, True)):
        with monkeypatch.context() as patch:
            if one_by_one:
                patch.setattr(ingestion, "_batch_shape", lambda *_: None)
            ingestion.load_landing(conn, folder, now=NOW)
    assert audit_counts(batched)["h.parquet"] == (3, 2, 0, 1, "loaded")
    queries = {
        "events": "select * exclude (_load_id) from raw.events",
        "quarantine": "select * exclude (load_id) from raw.raw_quarantine",
        "audit": "select * exclude (load_id) from raw.raw_load_audit",
    }
    for name, sql in queries.items():
        left, right = batched.execute(sql).fetchall(), alone.execute(sql).fetchall()
        assert sorted(left, key=repr) == sorted(right, key=repr), name
    ids = "select load_id from raw.raw_load_audit order by source_file"
    assert batched.execute(ids).fetchall() == alone.execute(ids).fetchall()
