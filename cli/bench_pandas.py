"""The pandas baseline of `make bench`: daily-cohort D1/D7/D30 retention the notebook way, memory capped.

python -m cli.bench_pandas LANDING OUT.parquet [--memory-limit-gb 8]     (exit 3: out of memory)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from retention_warehouse.benchmarks.pandas_retention import write_capped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--memory-limit-gb", type=float, default=8.0)
    args = parser.parse_args(argv)
    return write_capped(args.landing, args.out, args.memory_limit_gb)


if __name__ == "__main__":
    sys.exit(main())
