"""Settings: every knob resolves from its environment variable, and dbt's own env_var() defaults equal Settings'."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from retention_warehouse.settings import REPO_ROOT, Settings, dbt_environment, export_for_dbt, load_settings

KNOBS = {
    "RW_TIMEZONE": ("timezone", "Europe/Berlin", "Europe/Berlin"),
    "RW_ID_SALT": ("id_salt", "pepper", "pepper"),
    "RW_FUTURE_TOLERANCE_HOURS": ("future_tolerance_hours", "6", 6.0),
    "RW_MAX_QUARANTINED_SHARE": ("max_quarantined_share", "0.2", 0.2),
    "RW_DUCKDB_MEMORY_LIMIT": ("duckdb_memory_limit", "8GB", "8GB"),
    "RW_ENGINE": ("engine", "spark", "spark"),
    "RW_GX_MAX_ROWS": ("gx_max_rows", "1000", 1000),
    "RW_ANOMALY_SIGMA": ("anomaly_sigma", "2.5", 2.5),
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in [*KNOBS, "RW_LANDING_DIR", "RW_WAREHOUSE_DIR", "RW_PARQUET_DIR", "DAGSTER_HOME", "RW_DUCKDB_PATH"]:
        monkeypatch.setenv(name, "placeholder")  # so that teardown restores the variable, even if export_for_dbt set it
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults_without_environment(clean_env: Path):
    settings = load_settings()
    assert settings.landing_dir == clean_env / "data" / "landing"
    assert settings.work_db_path == clean_env / "warehouse" / "work" / "retention.duckdb"
    assert settings.raw_parquet_dir == clean_env / "warehouse" / "parquet" / "raw"
    assert settings.dagster_home == clean_env / "warehouse" / "dagster"
    assert (settings.timezone, settings.anomaly_sigma, settings.gx_max_rows) == ("UTC", 3.0, 500_000)
    assert not settings.spark_engine


def test_every_knob_is_read_from_its_variable(clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    for name, (_, raw, _) in KNOBS.items():
        monkeypatch.setenv(name, raw)
    monkeypatch.setenv("RW_WAREHOUSE_DIR", "wh")
    monkeypatch.setenv("RW_PARQUET_DIR", "/data/parquet")
    settings = load_settings()
    assert {field: getattr(settings, field) for field, _, _ in KNOBS.values()} == {
        field: value for field, _, value in KNOBS.values()
    }
    assert settings.work_db_path == clean_env / "wh" / "work" / "retention.duckdb"
    assert settings.raw_parquet_dir == Path("/data/parquet") and settings.spark_engine


def test_dbt_reads_the_values_python_exports(clean_env: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RW_DUCKDB_MEMORY_LIMIT", "8GB")
    export_for_dbt(load_settings())
    assert os.environ["RW_DUCKDB_MEMORY_LIMIT"] == "8GB"
    assert os.environ["RW_DUCKDB_PATH"] == str(clean_env / "warehouse" / "work" / "retention.duckdb")


def test_dbt_defaults_equal_the_settings_defaults():
    """For a dbt command run by hand: every env_var() default of a variable Python exports is Settings' default."""
    text = (REPO_ROOT / "profiles.yml").read_text() + (REPO_ROOT / "dbt_project.yml").read_text()
    dbt_defaults = dict(re.findall(r"env_var\('(RW_[A-Z_]+)', '([^']*)'\)", text))
    python_defaults = dbt_environment(Settings(landing_dir=Path("data/landing"), warehouse_dir=Path("warehouse")))
    exported = set(python_defaults) & set(dbt_defaults)
    assert exported == {
        "RW_ENGINE",
        "RW_DUCKDB_PATH",
        "RW_DUCKDB_MEMORY_LIMIT",
        "RW_TIMEZONE",
        "RW_ID_SALT",
        "RW_PARQUET_DIR",
    }
    assert {name: dbt_defaults[name] for name in exported} == {name: python_defaults[name] for name in exported}
