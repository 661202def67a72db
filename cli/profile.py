"""`make profile` (python -m cli.profile): the event names of the working warehouse with their counts, the
definitions that match none of them, and a starting warehouse.yml suggested from the names."""

from __future__ import annotations

import sys

import duckdb

from orchestration.checks.quality import DEFINITION_COVERAGE_SQL, unmatched_definitions
from retention_warehouse.profile import event_names, render, suggest
from retention_warehouse.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    if not settings.work_db_path.is_file():
        print(f"No working warehouse at {settings.work_db_path} yet: run `make run` first.", file=sys.stderr)
        return 1
    with duckdb.connect(str(settings.work_db_path), read_only=True) as conn:
        names = event_names(conn)
        built = conn.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'fct_definition_coverage'"
        ).fetchone()[0]
        unmatched = unmatched_definitions(conn.execute(DEFINITION_COVERAGE_SQL).fetchall()) if built else []
    print(render(names, suggest(names)), end="")
    if unmatched:
        print(f"\nOf the configured definitions ({settings.config_path} over dbt_project.yml), these match nothing:")
        for line in unmatched:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
