"""`make cdnow`: the CDNOW purchase log (from lifetimes) as an orders feed, then the warehouse built on it.

python -m cli.cdnow [--landing DIR] [--warehouse DIR] [--no-run]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from retention_warehouse.cdnow import DEFAULT_ROOT, SOURCE_ROWS, convert, reconciles, reconciliation


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load the CDNOW purchase log (from lifetimes) into the warehouse.")
    parser.add_argument("--landing", type=Path, default=DEFAULT_ROOT / "landing")
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_ROOT / "warehouse")
    parser.add_argument("--no-run", action="store_true", help="convert only")
    args = parser.parse_args(argv)
    rows = convert(args.landing)
    print(f"CDNOW: {rows:,} source rows -> {args.landing / 'orders' / 'cdnow_orders.csv'}")
    if args.no_run:
        return 0
    os.environ["RW_LANDING_DIR"] = str(args.landing.resolve())
    os.environ["RW_WAREHOUSE_DIR"] = str(args.warehouse.resolve())
    os.environ["DAGSTER_HOME"] = str((args.warehouse / "dagster").resolve())
    os.environ["RW_TIMEZONE"] = "UTC"  # CDNOW has dates only, written as 00:00 UTC
    os.environ.pop("RW_DUCKDB_PATH", None)
    from cli.run import main as run

    code = run([])
    if code:
        return code
    counts = reconciliation(args.warehouse / "work" / "retention.duckdb")
    print("CDNOW reconciliation: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    exact = reconciles(counts)
    print("reconciliation exact" if exact else f"RECONCILIATION FAILED: expected {SOURCE_ROWS:,} rows read")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
