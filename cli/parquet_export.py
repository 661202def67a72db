"""`make parquet`: export the raw layer of the work DuckDB file to Parquet (for Spark).

python -m cli.parquet_export [--duckdb PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from retention_warehouse.parquet_export import export_raw
from retention_warehouse.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export the raw layer of the work DuckDB file to Parquet.")
    parser.add_argument("--duckdb", type=Path, default=None, help="DuckDB file (default: the work file)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: $RW_PARQUET_DIR)")
    args = parser.parse_args(argv)
    settings = load_settings()
    duckdb_path = args.duckdb or settings.work_db_path
    out_dir = (args.out or settings.raw_parquet_dir).resolve()
    counts = export_raw(duckdb_path, out_dir)
    print(f"raw layer -> {out_dir}: " + ", ".join(f"{table} {rows:,}" for table, rows in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
