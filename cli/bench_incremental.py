"""`make bench-incremental`: a one-day incremental refresh against a full rebuild on a 100-day sample (not a test).

python -m cli.bench_incremental [--users 5000] [--days 100] [--root data/benchmark]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from retention_warehouse.benchmarks.incremental import DEFAULT_ROOT, run_benchmark
from retention_warehouse.sample_data import SampleSpec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=SampleSpec.users)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    args = parser.parse_args(argv)
    return run_benchmark(args.users, args.days, args.root)


if __name__ == "__main__":
    sys.exit(main())
