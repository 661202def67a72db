"""Superset's configuration for `make superset` (loaded through SUPERSET_CONFIG_PATH by launch.py beside it).

Everything Superset keeps lives in RW_SUPERSET_DIR ($RW_WAREHOUSE_DIR/superset): its metadata database and the
secret key launch.py generated there. Chart data is not cached, so every query reads the published file as it is
now (each refresh switches it to a new version)."""

import os
from pathlib import Path

STATE_DIR = Path(os.environ["RW_SUPERSET_DIR"])

SECRET_KEY = (STATE_DIR / "secret_key").read_text(encoding="utf-8").strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{STATE_DIR / 'superset.db'}"

# No result cache: a chart shows the published warehouse of the moment it runs its query.
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
# Explore and filter state need a cache; keep them in the metadata database.
EXPLORE_FORM_DATA_CACHE_CONFIG = FILTER_STATE_CACHE_CONFIG = {
    "CACHE_TYPE": "SupersetMetastoreCache",
    "CACHE_DEFAULT_TIMEOUT": 7 * 24 * 3600,
}

# The server's console shows warnings and errors; the setup's full log is in RW_SUPERSET_DIR/setup.log.
LOG_LEVEL = "WARNING"
