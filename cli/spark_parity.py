"""`make test-spark`: build on Spark and on DuckDB from one small sample and compare every public model.

python -m cli.spark_parity [--users 300] [--days 30] [--workdir warehouse/spark_parity] [--keep]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from retention_warehouse.spark_parity import DEFAULT_WORKDIR, run_parity


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--keep", action="store_true", help="reuse the DuckDB build and Spark warehouse if present")
    args = parser.parse_args(argv)
    return run_parity(args.users, args.days, args.workdir, keep=args.keep)


if __name__ == "__main__":
    raise SystemExit(main())
