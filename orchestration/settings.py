"""Every path and knob the warehouse reads from the environment, resolved in one place.

dbt, Dagster, the checks and the publisher all import these, so they agree on one DuckDB file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ID_SALT = "rw-sample-salt-change-me"


def _path_from_env(name: str, default: str) -> Path:
    raw = os.environ.get(name) or default
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_dir: Path
    timezone: str
    id_salt: str
    # A timestamp more than this many hours after the load time is quarantined (future_timestamp)
    future_tolerance_hours: float = 24.0

    @property
    def work_db_path(self) -> Path:
        """The only file the pipeline writes to."""
        return self.warehouse_dir / "work" / "retention.duckdb"

    @property
    def duckdb_config(self) -> dict[str, str]:
        """Settings for the pipeline's own DuckDB connections, the same as profiles.yml gives dbt."""
        return {"memory_limit": os.environ.get("RW_DUCKDB_MEMORY_LIMIT") or "80%"}

    @property
    def quality_dir(self) -> Path:
        """The Great Expectations project: suites, kept validation results and the Data Docs site."""
        return self.warehouse_dir / "quality"

    @property
    def published_dir(self) -> Path:
        return self.warehouse_dir / "published"

    @property
    def published_db_path(self) -> Path:
        """What users and BI tools read; replaced atomically, never written in place."""
        return self.published_dir / "retention.duckdb"


def load_settings() -> Settings:
    return Settings(
        landing_dir=_path_from_env("RW_LANDING_DIR", "data/landing"),
        warehouse_dir=_path_from_env("RW_WAREHOUSE_DIR", "warehouse"),
        timezone=os.environ.get("RW_TIMEZONE") or "UTC",
        id_salt=os.environ.get("RW_ID_SALT") or DEFAULT_ID_SALT,
        future_tolerance_hours=float(os.environ.get("RW_FUTURE_TOLERANCE_HOURS") or 24.0),
    )


def export_for_dbt(settings: Settings) -> None:
    """dbt runs as a subprocess and reads these through env_var() in profiles.yml and dbt_project.yml."""
    settings.work_db_path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["RW_DUCKDB_PATH"] = str(settings.work_db_path)
    os.environ["RW_TIMEZONE"] = settings.timezone
    os.environ["RW_ID_SALT"] = settings.id_salt
