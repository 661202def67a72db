"""BI connectivity: a SQLAlchemy (duckdb-engine) read-only connection to the published file runs every example query
of docs/queries/ and the README's SQL blocks, and the Parquet exports hold the same rows as the published tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy

from retention_warehouse.settings import REPO_ROOT

QUERY_FILES = sorted((REPO_ROOT / "docs" / "queries").glob("*.sql"))
README_SQL = re.findall(r"```sql\n(.*?)```", (REPO_ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def engine(sample_warehouse):
    engine = sqlalchemy.create_engine(f"duckdb:///{sample_warehouse['published']}", connect_args={"read_only": True})
    yield engine
    engine.dispose()


def test_there_are_example_queries_to_run():
    assert len(QUERY_FILES) >= 4 and len(README_SQL) >= 1


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.stem)
def test_example_query_runs_and_returns_its_documented_columns(engine, path: Path):
    text = path.read_text(encoding="utf-8")
    declared = re.search(r"^-- columns: (.+)$", text, flags=re.M)
    assert declared, f"{path.name} must declare its result columns in a '-- columns:' line"
    with engine.connect() as connection:
        result = connection.execute(sqlalchemy.text(text))
        columns, rows = list(result.keys()), result.fetchall()
    assert columns == [c.strip() for c in declared.group(1).split(",")]
    if "-- may be empty" not in text:
        assert rows, f"{path.name} returned no rows on the sample"


@pytest.mark.parametrize("sql", README_SQL, ids=lambda s: s.strip().splitlines()[0][:40])
def test_readme_query_runs(engine, sql: str):
    with engine.connect() as connection:
        assert connection.execute(sqlalchemy.text(sql)).fetchall()


def test_the_connection_is_read_only(engine):
    with engine.connect() as connection, pytest.raises(sqlalchemy.exc.DBAPIError, match="read-only"):
        connection.execute(sqlalchemy.text("create table marts.should_fail as select 1 as x"))


def test_parquet_exports_match_the_published_tables(sample_warehouse, engine):
    parquet = sample_warehouse["warehouse"] / "published" / "parquet"
    with engine.connect() as connection:
        conn = connection.connection.driver_connection  # the duckdb connection under SQLAlchemy
        marts = [
            t
            for (t,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        assert marts, "no public models published"
        for table in marts + ["raw_load_audit", "raw_quarantine"]:
            schema = "marts" if table in marts else "raw"
            difference = conn.execute(
                f"select count(*) from ((select * from {schema}.{table} except all "
                f"select * from read_parquet('{parquet / (table + '.parquet')}')) union all "
                f"(select * from read_parquet('{parquet / (table + '.parquet')}') except all "
                f"select * from {schema}.{table}))"
            ).fetchone()[0]
            assert difference == 0, table
