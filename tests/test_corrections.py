"""Corrections at load time (docs/data_contract.md, "Corrections"), on hand-made files: what each row counts as, and
which row of an entity stands, by the rule staging applies (latest load, then the later row)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from retention_warehouse.ingestion import CURRENT_ROW_ORDER, load_landing

HEADER = "order_id,user_id,order_time,amount,status\n"


@pytest.fixture
def conn():
    with duckdb.connect() as connection:
        yield connection


def _load(conn, landing: Path, day: int) -> dict[str, tuple]:
    loads = load_landing(conn, landing, now=datetime(2026, 3, day, tzinfo=UTC))
    return {
        Path(x.source_file).name: (x.rows_read, x.rows_accepted, x.rows_duplicate, x.rows_updated)
        for x in loads
        if not x.skipped
    }


def _standing_orders(conn) -> list[tuple]:
    return conn.execute(
        f"""select order_id, status, amount from (
            select *, row_number() over (partition by order_id order by {CURRENT_ROW_ORDER}) as rank from raw.orders
        ) where rank = 1 order by order_id"""
    ).fetchall()


def test_a_later_different_row_of_an_order_is_an_update_and_an_equal_one_a_duplicate(tmp_path, conn):
    orders = tmp_path / "landing" / "orders"
    orders.mkdir(parents=True)
    (orders / "a.csv").write_text(
        HEADER + "o1,u1,2026-03-01T10:00:00Z,10.00,paid\n"
        "o1,u1,2026-03-01T10:00:00Z,10.00,paid\n"  # the same row again in the file: a duplicate
        "o2,u2,2026-03-01T11:00:00Z,20.00,paid\n"
        "o2,u2,2026-03-01T11:00:00Z,25.00,paid\n"  # corrected further down the same file: the later row stands
    )
    # read, accepted, duplicate, updated
    assert _load(conn, tmp_path / "landing", 2) == {"a.csv": (4, 3, 1, 1)}
    (orders / "b.csv").write_text(
        HEADER + "o1,u1,2026-03-01T10:00:00Z,10.00,refunded\n"  # paid -> refunded
        "o2,u2,2026-03-01T11:00:00Z,25.00,paid\n"  # equal to the standing row: a redelivery
        "o3,u3,2026-03-01T12:00:00Z,5.00,\n"  # new
    )
    assert _load(conn, tmp_path / "landing", 3) == {"b.csv": (3, 2, 1, 1)}
    (orders / "c.csv").write_text(HEADER + "o1,u1,2026-03-01T10:00:00Z,10.00,paid\n")  # back to paid: differs again
    assert _load(conn, tmp_path / "landing", 4) == {"c.csv": (1, 1, 0, 1)}
    assert [(o, s, float(a)) for o, s, a in _standing_orders(conn)] == [
        ("o1", "paid", 10.0),
        ("o2", "paid", 25.0),
        ("o3", "paid", 5.0),
    ]
    audit = conn.execute("select source_file, rows_updated from raw.raw_load_audit order by loaded_at").fetchall()
    assert [(Path(f).name, n) for f, n in audit] == [("a.csv", 1), ("b.csv", 1), ("c.csv", 1)]


def test_an_event_is_never_updated_and_a_copy_of_a_loaded_file_gets_an_audit_line(tmp_path, conn):
    events = tmp_path / "landing" / "events"
    events.mkdir(parents=True)
    first = "event_id,user_id,event_name,event_time\ne1,u1,app_open,2026-03-01T10:00:00Z\n"
    (events / "day1.csv").write_text(first)
    assert _load(conn, tmp_path / "landing", 2) == {"day1.csv": (1, 1, 0, 0)}
    (events / "day1 again.csv").write_text(first)  # the same bytes under another name
    (events / "day2.csv").write_text(
        "event_id,user_id,event_name,event_time\ne1,u1,purchase,2026-03-02T10:00:00Z\n"  # other content, same id
    )
    assert _load(conn, tmp_path / "landing", 3) == {"day2.csv": (1, 0, 1, 0)}
    assert conn.execute("select event_name from raw.events").fetchall() == [("app_open",)]
    audit = conn.execute(
        "select source_file, rows_read, rows_accepted, rows_duplicate, file_status, file_sha256 from raw.raw_load_audit"
    ).fetchall()
    by_name = {Path(row[0]).name: row[1:] for row in audit}
    assert by_name["day1 again.csv"][:4] == (0, 0, 0, "duplicate_file")
    assert by_name["day1 again.csv"][4] == by_name["day1.csv"][4]
    assert _load(conn, tmp_path / "landing", 4) == {}  # the same folder again: nothing new, no new audit line
    assert conn.execute("select count(*) from raw.raw_load_audit").fetchone()[0] == 3
