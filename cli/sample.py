"""`make sample`: write the deterministic sample data (all six feeds of the data contract) into a landing folder.

python -m cli.sample [--tier S|M|L] [--users 5000] [--days 120] [--seed 42] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from retention_warehouse.sample_data import TIERS, SampleSpec, write_landing
from retention_warehouse.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=TIERS, help="a benchmark tier (sets users and days)")
    parser.add_argument("--users", type=int, default=SampleSpec.users)
    parser.add_argument("--days", type=int, default=SampleSpec.days)
    parser.add_argument("--seed", type=int, default=SampleSpec.seed)
    parser.add_argument("--start", type=date.fromisoformat, default=SampleSpec.start, help="first day (UTC)")
    parser.add_argument("--out", type=Path, default=None, help="landing folder to write (default: RW_LANDING_DIR)")
    args = parser.parse_args(argv)
    out = args.out or load_settings().landing_dir
    spec = SampleSpec(users=args.users, days=args.days, seed=args.seed, start=args.start)
    if args.tier:
        spec = replace(TIERS[args.tier], seed=args.seed)
    began = time.monotonic()
    counts = write_landing(spec, out)
    seconds = time.monotonic() - began
    summary = ", ".join(f"{feed} {rows:,}" for feed, rows in counts.items())
    print(f"sample data ({spec.start} .. {spec.end}, seed {spec.seed}) -> {out}: {summary} in {seconds:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
