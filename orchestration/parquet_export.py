"""The raw layer as Parquet, so engines other than DuckDB (Spark) read the same accepted rows.

    python -m orchestration.parquet_export [--duckdb PATH] [--out DIR]

Copies every table of schema `raw` in the work DuckDB file to `<out>/<table>/part-0.parquet` (one folder per
table: Spark external tables point at a folder). The default output folder is $RW_PARQUET_DIR, else
$RW_WAREHOUSE_DIR/parquet/raw. On Spark the `register_raw_parquet` macro (on-run-start) creates `raw.<table>`
`USING parquet LOCATION '<out>/<table>'`, so the dbt sources are the same on both engines.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import duckdb

from orchestration.settings import load_settings


def default_parquet_dir() -> Path:
    configured = os.environ.get("RW_PARQUET_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    return load_settings().warehouse_dir / "parquet" / "raw"


def export_raw(duckdb_path: Path, out_dir: Path) -> dict[str, int]:
    """Write each raw table to its own folder (replacing what was there); return rows per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
            ).fetchall()
        ]
        for table in tables:
            folder = out_dir / table
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            target = str(folder / "part-0.parquet").replace("'", "''")
            conn.execute(f"copy (select * from raw.\"{table}\") to '{target}' (format parquet)")
            counts[table] = conn.execute(f'select count(*) from raw."{table}"').fetchone()[0]
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export the raw layer of the work DuckDB file to Parquet.")
    parser.add_argument("--duckdb", type=Path, default=None, help="DuckDB file (default: the work file)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: $RW_PARQUET_DIR)")
    args = parser.parse_args(argv)
    duckdb_path = args.duckdb or load_settings().work_db_path
    out_dir = (args.out or default_parquet_dir()).resolve()
    counts = export_raw(duckdb_path, out_dir)
    print(f"raw layer -> {out_dir}: " + ", ".join(f"{table} {rows:,}" for table, rows in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
