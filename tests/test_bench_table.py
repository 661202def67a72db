"""The benchmark table of docs/benchmarks.md: each tier's newest whole run, never mixed with an older run's figures."""

from __future__ import annotations

from retention_warehouse.benchmarks.tiers import markdown_table

OLD_RUN = {
    "tier": "S",
    "full_seconds": 100.0,
    "lower_bound_seconds": 0.5,
    "full_over_lower_bound": 200.0,
    "incremental_seconds": 80.0,
    "incremental_share_of_full": 0.8,
}
NOTEBOOK_RUN = {"tier": "S", "duckdb_notebook_seconds": 0.5, "pandas_seconds": 4.0, "pandas_oom": False}
NEW_RUN_INCREMENTAL_FAILED = {
    "tier": "S",
    "full_seconds": 120.0,
    "lower_bound_seconds": 0.4,
    "full_over_lower_bound": 300.0,
    "incremental_failed_after_seconds": 30.0,
}


def _row(table: str, label: str) -> str:
    (line,) = [line for line in table.splitlines() if line.startswith(f"| {label} |")]
    return line.split(" | ")[1].rstrip(" |")


def test_a_newer_run_replaces_the_older_one_and_the_notebook_ratio_uses_its_own_run():
    table = markdown_table([OLD_RUN, NOTEBOOK_RUN, NEW_RUN_INCREMENTAL_FAILED])
    assert _row(table, "full build (the whole Dagster job)") == "120 s"
    assert _row(table, "full build / lower bound") == "300x"
    assert _row(table, "one-day incremental refresh") == "n/a"  # not the older run's 80 s
    assert _row(table, "incremental / full build") == "n/a"
    assert _row(table, "the notebook's query in DuckDB") == "0.5 s (8x faster than pandas' 4.0 s in that run)"


def test_the_notebook_row_notes_where_pandas_ran_out_of_memory():
    table = markdown_table([OLD_RUN, NOTEBOOK_RUN | {"pandas_oom": True}])
    assert _row(table, "one-day incremental refresh") == "80 s"
    assert _row(table, "the notebook's query in DuckDB") == "0.5 s (pandas out of memory in that run)"
