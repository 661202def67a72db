"""The loader: every format lands, bad rows are quarantined with a reason, nothing is counted twice."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from retention_warehouse.ingestion import load_landing

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def conn():
    with duckdb.connect() as connection:
        yield connection


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _quarantine(conn) -> list[tuple]:
    rows = conn.execute("select source_file, row_number, reason_code from raw.raw_quarantine").fetchall()
    return sorted(((Path(f).name, n, r) for f, n, r in rows), key=lambda x: (x[0], x[1] or 0))


def test_csv_jsonl_parquet_and_gzip_land_with_case_insensitive_columns(tmp_path, conn):
    _write(
        tmp_path / "events" / "a.csv",
        "EVENT_ID,User_Id,Event_Name,event_time,Campaign\ne1,u1,AddToCart,2026-05-01T10:00:00+08:00,spring\n",
    )
    with gzip.open(tmp_path / "events" / "b.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(
            json.dumps(
                {
                    "event_id": "e2",
                    "user_id": "u2",
                    "event_name": "Page View",
                    "event_time": "2026-05-01 03:00:00",
                    "properties": {"sku": "x1"},
                }
            )
            + "\n"
        )
    pq.write_table(
        pa.table({"event_id": ["e3"], "user_id": ["u3"], "event_name": ["like"], "event_time": ["1777600800000"]}),
        tmp_path / "events" / "c.parquet",
    )
    loads = load_landing(conn, tmp_path, now=NOW)
    assert [(x.rows_read, x.rows_accepted) for x in loads] == [(1, 1), (1, 1), (1, 1)]
    rows = conn.execute(
        "select event_id, user_id, event_name, cast(event_at as varchar), properties, extra_attributes "
        "from raw.events order by event_id"
    ).fetchall()
    assert rows == [
        # +08:00 -> UTC; CamelCase -> snake_case; the unknown column is kept
        ("e1", "u1", "add_to_cart", "2026-05-01 02:00:00", None, '{"campaign":"spring"}'),
        # naive = UTC; nested JSON object kept as JSON text
        ("e2", "u2", "page_view", "2026-05-01 03:00:00", '{"sku":"x1"}', None),
        # epoch milliseconds 1777600800000 = 2026-05-01T02:00:00Z
        ("e3", "u3", "like", "2026-05-01 02:00:00", None, None),
    ]


def test_bad_rows_are_quarantined_with_file_row_and_reason_and_good_rows_load(tmp_path, conn):
    _write(
        tmp_path / "orders" / "orders.csv",
        "order_id,user_id,order_time,amount,status\n"
        "o1,u1,2026-05-01T10:00:00Z,10.50,paid\n"  # row 1 ok
        "o2,u1,not a time,10,paid\n"  # row 2
        "o3,u2,2026-05-01T10:00:00Z,-3,paid\n"  # row 3
        "o4,u2,2026-05-01T10:00:00Z,abc,paid\n"  # row 4
        "o5,u3,2026-05-01T10:00:00Z,5,lost\n"  # row 5
        "o6,,2026-05-01T10:00:00Z,5,paid\n"  # row 6
        "o7,u4,2027-01-01T00:00:00Z,5,paid\n"  # row 7: far future
        "o8,u4,2026-05-02T00:00:00Z,0,\n",
    )  # row 8 ok: empty status = paid
    _write(
        tmp_path / "surveys" / "nps.csv",
        "response_id,user_id,response_time,score\n"
        "r1,u1,2026-05-01T10:00:00Z,11\n"
        "r2,u1,2026-05-01T10:00:00Z,7.5\n"
        "r3,u1,2026-05-01T10:00:00Z,9\n",
    )
    [orders, surveys] = load_landing(conn, tmp_path, now=NOW)
    assert (orders.rows_read, orders.rows_accepted, orders.rows_quarantined, orders.rows_duplicate) == (
        8,
        2,
        6,
        0,
    )
    assert (surveys.rows_read, surveys.rows_accepted, surveys.rows_quarantined) == (3, 1, 2)
    assert _quarantine(conn) == [
        ("nps.csv", 1, "score_out_of_range"),
        ("nps.csv", 2, "invalid_integer"),
        ("orders.csv", 2, "invalid_timestamp"),
        ("orders.csv", 3, "negative_amount"),
        ("orders.csv", 4, "invalid_number"),
        ("orders.csv", 5, "unknown_status"),
        ("orders.csv", 6, "missing_required_value"),
        ("orders.csv", 7, "future_timestamp"),
    ]
    assert conn.execute("select order_id, status from raw.orders order by 1").fetchall() == [
        ("o1", "paid"),
        ("o8", "paid"),
    ]
    raw = conn.execute("select raw_record from raw.raw_quarantine where reason_code = 'negative_amount'").fetchone()
    assert json.loads(raw[0])["amount"] == "-3"


def test_duplicates_within_and_across_files_are_kept_once_and_counted(tmp_path, conn):
    header = "event_id,user_id,event_name,event_time\n"
    _write(
        tmp_path / "events" / "1.csv",
        header + "e1,u1,like,2026-05-01T10:00:00Z\ne1,u1,like,2026-05-01T10:00:00Z\n",
    )
    _write(
        tmp_path / "events" / "2.csv",
        header + "e1,u1,like,2026-05-01T10:00:00Z\ne2,u1,like,2026-05-01T11:00:00Z\n",
    )
    loads = load_landing(conn, tmp_path, now=NOW)
    assert [(x.rows_read, x.rows_accepted, x.rows_quarantined, x.rows_duplicate) for x in loads] == [
        (2, 1, 0, 1),
        (2, 1, 0, 1),
    ]
    assert conn.execute("select count(*) from raw.events").fetchone()[0] == 2


def test_loading_the_same_folder_twice_changes_nothing(tmp_path, conn):
    _write(
        tmp_path / "events" / "1.csv",
        "event_id,user_id,event_name,event_time\ne1,u1,like,2026-05-01T10:00:00Z\ne2,,like,2026-05-01T10:00:00Z\n",
    )
    load_landing(conn, tmp_path, now=NOW)
    tables = ["raw.events", "raw.raw_quarantine", "raw.raw_load_audit"]
    before = {t: conn.execute(f"select * from {t} order by all").fetchall() for t in tables}
    second = load_landing(conn, tmp_path, now=datetime(2026, 6, 2, tzinfo=UTC))
    assert [x.skipped for x in second] == [True]
    assert {t: conn.execute(f"select * from {t} order by all").fetchall() for t in tables} == before


def test_a_file_missing_a_required_column_is_quarantined_row_by_row(tmp_path, conn):
    _write(tmp_path / "events" / "no_time.csv", "event_id,user_id,event_name\ne1,u1,like\ne2,u2,like\n")
    [load] = load_landing(conn, tmp_path, now=NOW)
    assert (load.rows_read, load.rows_accepted, load.rows_quarantined) == (2, 0, 2)
    assert _quarantine(conn) == [
        ("no_time.csv", 1, "missing_required_column"),
        ("no_time.csv", 2, "missing_required_column"),
    ]
    assert "event_time" in conn.execute("select any_value(reason_detail) from raw.raw_quarantine").fetchone()[0]


def test_an_unreadable_file_is_quarantined_whole_and_the_load_goes_on(tmp_path, conn):
    (tmp_path / "events").mkdir()
    (tmp_path / "events" / "broken.csv.gz").write_bytes(b"\x1f\x8b\x08\x00 this is not gzip")
    _write(tmp_path / "events" / "ok.csv", "event_id,user_id,event_name,event_time\ne1,u1,like,2026-05-01\n")
    loads = load_landing(conn, tmp_path, now=NOW)
    assert [(Path(x.source_file).name, x.file_error is not None) for x in loads] == [
        ("broken.csv.gz", True),
        ("ok.csv", False),
    ]
    assert _quarantine(conn) == [("broken.csv.gz", None, "unreadable_file")]
    assert conn.execute("select count(*) from raw.events").fetchone()[0] == 1
    reconciled = conn.execute(
        "select bool_and(rows_read = rows_accepted + rows_quarantined + rows_duplicate) from raw.raw_load_audit"
    ).fetchone()[0]
    assert reconciled
