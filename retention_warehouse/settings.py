"""Every environment variable the Python code reads, resolved in one place, with its default written once.

dbt, Dagster, the checks, the publisher and the commands all read `load_settings()`, so they agree on one DuckDB
file and one value of every knob. dbt runs as a subprocess and reads some of these through env_var() in
profiles.yml and dbt_project.yml, which must keep a default of their own for a dbt command run by hand:
`export_for_dbt` exports every one of them before each dbt run, so dbt always sees the value resolved here and the
two defaults cannot disagree in a pipeline run.

The knobs (unset or empty means the default, written once: the field defaults of `Settings`):

- RW_LANDING_DIR (data/landing): folder of the landing files, one sub-folder per feed.
- RW_WAREHOUSE_DIR (warehouse): holds work/, published/, quality/, dagster/ and refresh.lock (one refresh at a time).
- DAGSTER_HOME ($RW_WAREHOUSE_DIR/dagster): Dagster's run and event storage (`make run`, `make dev`).
- RW_TIMEZONE (UTC): the reporting time zone, what a "day" is (dbt var reporting_timezone).
- RW_ID_SALT (rw-sample-salt-change-me): salt of the pseudonymous user key (dbt var id_salt); set it for real data.
- RW_FUTURE_TOLERANCE_HOURS (24): a timestamp further than this after the load time is quarantined.
- RW_MAX_QUARANTINED_SHARE (0.5): a run fails before dbt when a feed's quarantined share of the rows read from
  this run's new files is above this (0 to 1); it fails too when a feed's new files accepted no row.
- RW_LOAD_BATCH_ROWS (50000000): Parquet files of the events and experiments feeds load in batches of about this many
  rows (one read, one duplicate probe, one transaction each; retention_warehouse/ingestion.py).
- RW_DUCKDB_MEMORY_LIMIT (80%): DuckDB memory_limit of the loader, the publisher and dbt (profiles.yml).
- RW_ENGINE (duckdb): the output of profiles.yml the models are built with, duckdb or spark.
- RW_PARQUET_DIR ($RW_WAREHOUSE_DIR/parquet/raw): the raw layer as Parquet for Spark (dbt var raw_parquet_dir).
- RW_GX_MAX_ROWS (500000): a GX suite validates a reservoir sample of at most this many rows.
- RW_ANOMALY_SIGMA (3): the anomaly check warns beyond this many trailing standard deviations.
- RW_CONFIG (warehouse.yml beside the landing folder): the user's own dbt vars (retention_warehouse/user_config.py).

RW_DUCKDB_PATH is not a knob: it is derived (`work_db_path`) and exported for dbt. RW_DBT_THREADS and
RW_SPARK_DIR are read by dbt alone (profiles.yml holds their defaults).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """The resolved knobs (see the module docstring for the environment variable behind each field)."""

    landing_dir: Path = Path("data/landing")
    warehouse_dir: Path = Path("warehouse")
    timezone: str = "UTC"
    id_salt: str = "rw-sample-salt-change-me"
    future_tolerance_hours: float = 24.0
    max_quarantined_share: float = 0.5
    load_batch_rows: int = 50_000_000
    duckdb_memory_limit: str = "80%"
    engine: str = "duckdb"
    # None: $RW_WAREHOUSE_DIR/parquet/raw (see raw_parquet_dir)
    parquet_dir: Path | None = None
    gx_max_rows: int = 500_000
    anomaly_sigma: float = 3.0
    # None: $RW_WAREHOUSE_DIR/dagster (see dagster_home)
    dagster_dir: Path | None = None
    # None: warehouse.yml in the landing folder's parent (see config_path)
    config_file: Path | None = None

    @property
    def work_db_path(self) -> Path:
        """The only file the pipeline writes to."""
        return self.warehouse_dir / "work" / "retention.duckdb"

    @property
    def duckdb_config(self) -> dict[str, str]:
        """Settings for the pipeline's own DuckDB connections, the same as profiles.yml gives dbt."""
        return {"memory_limit": self.duckdb_memory_limit}

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

    @property
    def raw_parquet_dir(self) -> Path:
        """The raw layer as Parquet, one folder per table (what Spark reads)."""
        return self.parquet_dir or self.warehouse_dir / "parquet" / "raw"

    @property
    def dagster_home(self) -> Path:
        return self.dagster_dir or self.warehouse_dir / "dagster"

    @property
    def config_path(self) -> Path:
        """The user's configuration file (it need not exist)."""
        return self.config_file or self.landing_dir.parent / "warehouse.yml"

    @property
    def spark_engine(self) -> bool:
        """RW_ENGINE=spark builds the models with the `spark` output of profiles.yml."""
        return self.engine == "spark"


DEFAULTS = Settings()
# Kept for callers that salt test data the way the sample is salted.
DEFAULT_ID_SALT = DEFAULTS.id_salt


def _raw(name: str) -> str | None:
    return os.environ.get(name) or None


def _path(name: str, default: Path | None) -> Path | None:
    raw = _raw(name)
    if raw is None and default is None:
        return None
    path = Path(raw) if raw is not None else default
    path = path.expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def load_settings() -> Settings:
    return Settings(
        landing_dir=_path("RW_LANDING_DIR", DEFAULTS.landing_dir),
        warehouse_dir=_path("RW_WAREHOUSE_DIR", DEFAULTS.warehouse_dir),
        timezone=_raw("RW_TIMEZONE") or DEFAULTS.timezone,
        id_salt=_raw("RW_ID_SALT") or DEFAULTS.id_salt,
        future_tolerance_hours=float(_raw("RW_FUTURE_TOLERANCE_HOURS") or DEFAULTS.future_tolerance_hours),
        max_quarantined_share=float(_raw("RW_MAX_QUARANTINED_SHARE") or DEFAULTS.max_quarantined_share),
        load_batch_rows=int(_raw("RW_LOAD_BATCH_ROWS") or DEFAULTS.load_batch_rows),
        duckdb_memory_limit=_raw("RW_DUCKDB_MEMORY_LIMIT") or DEFAULTS.duckdb_memory_limit,
        engine=_raw("RW_ENGINE") or DEFAULTS.engine,
        parquet_dir=_path("RW_PARQUET_DIR", DEFAULTS.parquet_dir),
        gx_max_rows=int(_raw("RW_GX_MAX_ROWS") or DEFAULTS.gx_max_rows),
        anomaly_sigma=float(_raw("RW_ANOMALY_SIGMA") or DEFAULTS.anomaly_sigma),
        dagster_dir=_path("DAGSTER_HOME", DEFAULTS.dagster_dir),
        config_file=_path("RW_CONFIG", DEFAULTS.config_file),
    )


def dbt_environment(settings: Settings) -> dict[str, str]:
    """Every variable profiles.yml and dbt_project.yml read that has a default here, as resolved here."""
    return {
        "RW_DUCKDB_PATH": str(settings.work_db_path),
        "RW_TIMEZONE": settings.timezone,
        "RW_ID_SALT": settings.id_salt,
        "RW_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "RW_ENGINE": settings.engine,
        "RW_PARQUET_DIR": str(settings.raw_parquet_dir),
    }


def export_for_dbt(settings: Settings) -> None:
    """dbt runs as a subprocess and reads these through env_var() in profiles.yml and dbt_project.yml."""
    settings.work_db_path.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(dbt_environment(settings))


def make_variables(settings: Settings) -> dict[str, str]:
    """The paths the Makefile needs (`python -m cli.settings` prints them), so it writes no default of its own."""
    return {
        "RW_LANDING_DIR": str(settings.landing_dir),
        "RW_WAREHOUSE_DIR": str(settings.warehouse_dir),
        "RW_DUCKDB_PATH": str(settings.work_db_path),
        "DAGSTER_HOME": str(settings.dagster_home),
    }
