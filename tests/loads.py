"""What the loader's tests read back from the raw layer."""

from __future__ import annotations

from pathlib import Path

import duckdb


def audit_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """File name -> (rows_read, rows_accepted, rows_quarantined, rows_duplicate, file_status) of raw.raw_load_audit."""
    rows = conn.execute(
        "select source_file, rows_read, rows_accepted, rows_quarantined, rows_duplicate, file_status "
        "from raw.raw_load_audit"
    ).fetchall()
    return {Path(source).name: tuple(counts) for source, *counts in rows}
