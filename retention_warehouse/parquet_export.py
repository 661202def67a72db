"""The raw layer as Parquet, so engines other than DuckDB (Spark) read the same accepted rows.

    python -m cli.parquet_export [--duckdb PATH] [--out DIR]       (make parquet)

Copies every table of schema `raw` in the work DuckDB file to `<out>/<table>/part-0.parquet` (one folder per
table: Spark external tables point at a folder). The default output folder is Settings.raw_parquet_dir
($RW_PARQUET_DIR, else $RW_WAREHOUSE_DIR/parquet/raw). On Spark the `register_raw_parquet` macro (on-run-start)
creates `raw.<table>` `USING parquet LOCATION '<out>/<table>'`, so the dbt sources are the same on both engines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb


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
