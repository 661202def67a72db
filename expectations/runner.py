"""Validate a DuckDB table with a GX suite.

GX's SQL datasource fails on DuckDB (results fetched after the connection closes), so the table is read through a
short-lived read-only connection into a DataFrame and validated with GX's pandas datasource.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    observed: str


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def read_query(db_path: Path, sql: str, max_rows: int | None = None) -> pd.DataFrame:
    """The rows to validate, through a short-lived read-only connection (never blocks the pipeline's writer);
    with max_rows, a reservoir sample of that many rows when the query returns more (the checks pass
    Settings.gx_max_rows, RW_GX_MAX_ROWS, so a 100M-event load does not become a 100M-row DataFrame; the dbt tests
    still check every row of the keys and invariants in SQL)."""
    if max_rows is not None:
        sql = f"select * from ({sql}) as rows_to_validate using sample reservoir({int(max_rows)} rows) repeatable (11)"
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return conn.sql(sql).df()


def _context(docs_root: Path | None):
    """Ephemeral by default; file-backed under docs_root when results should be kept and rendered as Data Docs."""
    if docs_root is None:
        context = gx.get_context(mode="ephemeral")
    else:
        docs_root.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=str(docs_root))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def data_docs_dir(docs_root: Path) -> Path:
    return docs_root / "gx" / "uncommitted" / "data_docs" / "local_site"


def validate_frame(
    suite_name: str,
    frame: pd.DataFrame,
    expectations: Callable[[], Sequence[gx.expectations.Expectation]],
    docs_root: Path | None = None,
) -> SuiteOutcome:
    """Validate `frame` with the suite; with docs_root, keep the result and update the Data Docs site there."""
    context = _context(docs_root)
    source = context.data_sources.add_or_update_pandas("retention_warehouse")
    asset = next((a for a in source.assets if a.name == suite_name), None) or source.add_dataframe_asset(suite_name)
    batch = next((b for b in asset.batch_definitions if b.name == "whole_table"), None)
    batch = batch or asset.add_batch_definition_whole_dataframe("whole_table")
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=suite_name, expectations=list(expectations())))
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
    )
    if docs_root is None:
        result = definition.run(batch_parameters={"dataframe": frame})
    else:
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=suite_name,
                validation_definitions=[definition],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
            )
        )
        result = next(iter(checkpoint.run(batch_parameters={"dataframe": frame}).run_results.values()))
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        observed = item.result.get("observed_value", item.result.get("unexpected_count", ""))
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=config.kwargs.get("column") or config.kwargs.get("column_A"),
                success=bool(item.success),
                observed=str(observed),
            )
        )
    return SuiteOutcome(suite=suite_name, rows=len(frame), outcomes=outcomes)
