"""Real data: the CDNOW purchase log shipped inside the `lifetimes` package, as an orders feed.

    python -m cli.cdnow            # convert, then run the warehouse on it (make cdnow)
    python -m cli.cdnow --no-run   # convert only

CDNOW_master.txt has 69,659 purchases by 23,570 customers (1997-01 to 1998-06): whitespace-separated
`customer_id date(YYYYMMDD) number_of_cds dollar_value`, one header line, CRLF line ends. One source row becomes
one order (see docs/real_data.md for why a row and not a customer-day): order_id = `<customer>-<date>-<n>`, n
counting the rows of that customer and day in file order; order_time = the date at 00:00 UTC; amount = dollar
value in USD; status paid; the CD count is kept as the extra column `cds`. Nothing is filtered here: the loader
checks every row against the data contract, and the audit must show 69,659 rows read.
"""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from pathlib import Path

import duckdb

from retention_warehouse.settings import REPO_ROOT

SOURCE_ROWS = 69_659
DEFAULT_ROOT = REPO_ROOT / "data" / "cdnow"


def cdnow_master_path() -> Path:
    """The file inside the installed lifetimes package (found without importing lifetimes and pkg_resources)."""
    spec = importlib.util.find_spec("lifetimes")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the `lifetimes` package is not installed: run `make install` (dev dependency)")
    return Path(spec.origin).parent / "datasets" / "CDNOW_master.txt"


def convert(landing: Path, source: Path | None = None) -> int:
    """Write <landing>/orders/cdnow_orders.csv from the CDNOW master file; returns the rows written."""
    source = source or cdnow_master_path()
    out = landing / "orders" / "cdnow_orders.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    seen: Counter[tuple[str, str]] = Counter()
    rows = 0
    with open(source, encoding="ascii", newline="") as lines, open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["order_id", "user_id", "order_time", "amount", "currency", "status", "cds"])
        next(lines)  # header
        for line in lines:
            if not line.strip():
                continue
            fields = line.split()
            customer, day = (fields + ["", ""])[:2]
            cds, dollars = (fields[2:] + ["", ""])[:2]
            seen[(customer, day)] += 1
            order_time = f"{day[:4]}-{day[4:6]}-{day[6:8]}T00:00:00Z" if len(day) == 8 else day
            order_id = f"{customer}-{day}-{seen[(customer, day)]}"
            writer.writerow([order_id, customer, order_time, dollars, "USD", "paid", cds])
            rows += 1
    return rows


def reconciliation(database: Path) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as conn:
        read, accepted, quarantined, duplicate = conn.execute(
            "select sum(rows_read), sum(rows_accepted), sum(rows_quarantined), sum(rows_duplicate) "
            "from raw.raw_load_audit where feed = 'orders'"
        ).fetchone()
    return {"rows_read": read, "rows_accepted": accepted, "rows_quarantined": quarantined, "rows_duplicate": duplicate}


def reconciles(counts: dict[str, int]) -> bool:
    """The load audit read every source row, and each was accepted, quarantined or a duplicate."""
    return (
        counts["rows_read"]
        == SOURCE_ROWS
        == counts["rows_accepted"] + counts["rows_quarantined"] + counts["rows_duplicate"]
    )
