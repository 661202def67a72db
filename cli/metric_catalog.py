"""Generate seeds/metric_catalog.csv and docs/metric_definitions.md from metrics/catalog.yml.

python -m cli.metric_catalog          # write the generated files
python -m cli.metric_catalog --check  # exit 1 when either file is out of date
"""

from __future__ import annotations

import argparse
import sys

from retention_warehouse.metric_catalog import stale_outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when a generated file is out of date")
    args = parser.parse_args(argv)
    stale = stale_outputs(write=not args.check)
    if args.check and stale:
        print("out of date, run `python -m cli.metric_catalog`: " + ", ".join(map(str, stale)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
