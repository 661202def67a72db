"""`python -m cli.settings`: the resolved settings as NAME=value lines (the Makefile exports them)."""

from __future__ import annotations

import sys

from retention_warehouse.settings import load_settings, make_variables


def main(argv: list[str] | None = None) -> int:
    for name, value in make_variables(load_settings()).items():
        print(f"{name}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
