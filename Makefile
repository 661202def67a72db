# Retention Warehouse. Quick start: `make run`, then `make test`. Everything installs into .venv from uv.lock.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
# uv: the one on PATH, else a private copy installed with pip into .tools/
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)

export RW_LANDING_DIR ?= data/landing
export RW_WAREHOUSE_DIR ?= warehouse
export RW_DUCKDB_PATH := $(abspath $(RW_WAREHOUSE_DIR))/work/retention.duckdb
export DAGSTER_HOME ?= $(abspath $(RW_WAREHOUSE_DIR))/dagster
export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export UV_PYTHON_DOWNLOADS := never
DBT := $(BIN)/dbt
DBT_FLAGS := --project-dir . --profiles-dir .
DBT_SOURCES := dbt_project.yml profiles.yml packages.yml $(shell find models macros seeds tests/dbt -type f 2>/dev/null)

.PHONY: help install manifest sample run dev docs sql browser test lint clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed  ## create .venv from the lock file

target/manifest.json: $(VENV)/.installed $(DBT_SOURCES)
	$(DBT) deps $(DBT_FLAGS) --quiet
	$(DBT) parse $(DBT_FLAGS) --quiet
	@touch $@

manifest: target/manifest.json  ## parse the dbt project (Dagster needs the manifest)

sample: $(VENV)/.installed  ## (re)generate the sample data into RW_LANDING_DIR
	$(BIN)/python -m orchestration.sample_data --out $(RW_LANDING_DIR)

run: target/manifest.json  ## build the whole warehouse (sample data if the landing folder is empty) and publish
	$(BIN)/python -m orchestration.run

DEV_PORT ?= 3000
dev: target/manifest.json  ## Dagster UI on http://127.0.0.1:3000
	@mkdir -p $(DAGSTER_HOME)
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p $(DEV_PORT)

docs: target/manifest.json  ## dbt docs on http://127.0.0.1:8080 (after make run)
	$(DBT) docs generate $(DBT_FLAGS)
	$(DBT) docs serve $(DBT_FLAGS) --host 127.0.0.1 --port 8080 --no-browser

sql: $(VENV)/.installed  ## interactive SQL (harlequin) on the published warehouse, read-only
	$(BIN)/harlequin --read-only $(RW_WAREHOUSE_DIR)/published/retention.duckdb

browser:  ## install headless Chromium for the report test (Debian, as root); the test skips, saying why, without it
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "could not install chromium: the browser test will be skipped"; \
	else echo "chromium not installed and no root apt-get: the browser test will be skipped"; fi

lint: target/manifest.json  ## style gates: ruff (Python), sqlfluff (models), dbt-bouncer (project-evaluator rules)
	$(BIN)/ruff check orchestration expectations tests
	$(BIN)/ruff format --check orchestration expectations tests
	RW_DUCKDB_PATH=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint models --disable-progress-bar
	$(BIN)/dbt-bouncer run --config-file dbt-bouncer.yml

test: target/manifest.json lint browser  ## every test layer: ruff, pytest (unit, dbt unit tests, end to end)
	$(BIN)/python -m pytest

clean:  ## remove build outputs and the local warehouse (keeps landing data and .venv)
	rm -rf target logs dbt_packages .pytest_cache .ruff_cache $(RW_WAREHOUSE_DIR)

distclean: clean  ## also remove .venv and .tools
	rm -rf $(VENV) .tools

# --- issue 3: real data and the incremental benchmark ---
.PHONY: cdnow benchmark
cdnow: target/manifest.json  ## the CDNOW purchase log (from lifetimes) as an orders feed, in data/cdnow/
	$(BIN)/python -m orchestration.cdnow --landing data/cdnow/landing --warehouse data/cdnow/warehouse

benchmark: target/manifest.json  ## one-day incremental refresh vs full rebuild on a 100-day sample (not a test)
	$(BIN)/python -m orchestration.benchmarks.incremental

# --- issue 11: performance at 100M events (docs/benchmarks.md) ---
.PHONY: bench
TIER ?= S
BENCH_MEMORY ?= 8GB
bench: target/manifest.json  ## TIER=S|M|L: full build, lower bound, one-day refresh and pandas at scale (not a test)
	$(BIN)/python -m orchestration.benchmarks.tiers --tier $(TIER) --memory-limit $(BENCH_MEMORY)
# --- end issue 3 ---

# --- issue 10: Spark (docs/scaling.md) ---
.PHONY: install-spark parquet test-spark
$(VENV)/.installed-spark: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON) --group spark
	@touch $(VENV)/.installed $@

install-spark: $(VENV)/.installed-spark  ## also install dbt-spark[session] (pyspark; needs Java 17)

parquet: $(VENV)/.installed  ## export the raw layer of the work DuckDB file to Parquet (for Spark), RW_PARQUET_DIR
	$(BIN)/python -m orchestration.parquet_export

test-spark: $(VENV)/.installed-spark target/manifest.json  ## build on Spark and DuckDB from a small sample, compare every public model
	$(BIN)/python -m orchestration.spark_parity --users 300 --days 30
# --- end issue 10 ---
