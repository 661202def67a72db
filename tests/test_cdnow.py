"""Real data: the CDNOW log from lifetimes converts to an orders feed that loads with an exact reconciliation."""

from __future__ import annotations

from decimal import Decimal

import duckdb

from orchestration.cdnow import SOURCE_ROWS, cdnow_master_path, convert
from orchestration.ingestion import load_landing


def test_cdnow_converts_and_loads_every_row_with_exact_reconciliation(tmp_path):
    source = cdnow_master_path()
    # Independent figures straight from the source text: rows, customers, customer-days, dollars.
    records = [line.split() for line in source.read_text(encoding="ascii").splitlines()[1:] if line.strip()]
    dollars = sum(Decimal(r[3]) for r in records)
    assert len(records) == SOURCE_ROWS == 69_659

    assert convert(tmp_path / "landing") == SOURCE_ROWS
    with duckdb.connect() as conn:
        [load] = load_landing(conn, tmp_path / "landing")
        audit = conn.execute(
            "select rows_read, rows_accepted, rows_quarantined, rows_duplicate, file_status from raw.raw_load_audit"
        ).fetchone()
        orders, customers, customer_days, amount = conn.execute(
            "select count(*), count(distinct user_id), count(distinct (user_id, cast(order_at as date))), sum(amount) "
            "from raw.orders"
        ).fetchone()
        quarantined = conn.execute("select count(*) from raw.raw_quarantine").fetchone()[0]
    assert audit == (69_659, 69_659, 0, 0, "loaded")
    assert load.rows_read == load.rows_accepted + load.rows_quarantined + load.rows_duplicate
    assert quarantined == 0
    assert orders == 69_659  # an order is a source row (docs/real_data.md)
    assert customers == 23_570 == len({r[0] for r in records})
    assert customer_days == 67_591 == len({(r[0], r[1]) for r in records})  # 2,068 rows repeat a customer-day
    assert amount == dollars
