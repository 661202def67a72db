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


def read_query(db_path: Path, sql: str) -> pd.DataFrame:
    """The rows to validate, through a short-lived read-only connection (never blocks the pipeline's writer)."""
    with duckdb.connect(str(db_path), read_only=True) as conn:
        return conn.sql(sql).df()


def read_table(db_path: Path, relation: str) -> pd.DataFrame:
    return read_query(db_path, f"select * from {relation}")


def validate_frame(
    suite_name: str, frame: pd.DataFrame, expectations: Callable[[], Sequence[gx.expectations.Expectation]]
) -> SuiteOutcome:
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("retention_warehouse")
        .add_dataframe_asset(suite_name)
        .add_batch_definition_whole_dataframe("whole_table")
    )
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=suite_name))
    for expectation in expectations():
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
    )
    result = definition.run(batch_parameters={"dataframe": frame})
    outcomes = []
    for item in result.results:
        config = item.expectation_config
        observed = item.result.get("observed_value", item.result.get("unexpected_count", ""))
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=config.kwargs.get("column"),
                success=bool(item.success),
                observed=str(observed),
            )
        )
    return SuiteOutcome(suite=suite_name, rows=len(frame), outcomes=outcomes)
