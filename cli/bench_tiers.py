"""`make bench TIER=S|M|L`: the warehouse at scale against the engine's floor and the pandas way (not a test).

    python -m cli.bench_tiers --tier M [--memory-limit 8GB] [--skip-pandas] [--full-only] [--notebook-only] [--markdown]

What each step measures: retention_warehouse/benchmarks/tiers.py; the figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys

from retention_warehouse.benchmarks.tiers import results_table, run_tier
from retention_warehouse.sample_data import TIERS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=TIERS, default="S")
    parser.add_argument("--markdown", action="store_true", help="print the table of the newest result per tier")
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB memory_limit, and pandas' address space")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--full-only", action="store_true", help="only the lower bound and the full build")
    parser.add_argument(
        "--notebook-only", action="store_true", help="time only the pandas baseline and the same query in DuckDB"
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(results_table())
        return 0
    options = {"skip_pandas": args.skip_pandas, "notebook": args.notebook_only, "full_only": args.full_only}
    return run_tier(args.tier, args.memory_limit, **options)


if __name__ == "__main__":
    sys.exit(main())
