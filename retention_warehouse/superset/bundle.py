"""The Retention dashboard bundle: dashboard/ beside this file (a Superset export's YAML files) as an import ZIP.

    python3 retention_warehouse/superset/bundle.py --published-db /abs/path/published/retention.duckdb \
        --out retention_dashboard.zip

The database file of the bundle names the published warehouse by the placeholder RW_PUBLISHED_DB; the ZIP gets
the absolute path given here. Standard library only: it runs with any Python 3.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "dashboard"
PLACEHOLDER = "RW_PUBLISHED_DB"
ROOT = "retention_dashboard"  # the folder every file of a Superset export ZIP sits in


def write_bundle(published_db: Path, out: Path) -> Path:
    """Zip the bundle with the published file's absolute path in the database's URI; returns `out`."""
    if not published_db.is_absolute():
        raise ValueError(f"the published warehouse path must be absolute, got {published_db}")
    files = sorted(path for path in SOURCE.rglob("*.yaml"))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            text = path.read_text(encoding="utf-8")
            if path.parent.name == "databases":
                if PLACEHOLDER not in text:
                    raise ValueError(f"{path}: the sqlalchemy_uri must name the warehouse as {PLACEHOLDER}")
                text = text.replace(PLACEHOLDER, str(published_db))
            bundle.writestr(f"{ROOT}/{path.relative_to(SOURCE).as_posix()}", text)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Zip the Retention dashboard bundle for Superset's import.")
    parser.add_argument("--published-db", type=Path, required=True, help="absolute path of published/retention.duckdb")
    parser.add_argument("--out", type=Path, required=True, help="the ZIP to write")
    args = parser.parse_args(argv)
    out = write_bundle(args.published_db, args.out)
    print(f"{out}: import it in Superset (Dashboards -> Import dashboard) or with")
    print(f"  superset import-dashboards -p {out} -u admin")
    return 0


if __name__ == "__main__":
    sys.exit(main())
