# Retention Warehouse. Quick start: `make run`, then `make test`. Everything installs into .venv from uv.lock.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
# uv: the one on PATH, else a private copy installed with pip into .tools/
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)

# RW_LANDING_DIR, RW_WAREHOUSE_DIR, RW_DUCKDB_PATH and DAGSTER_HOME as retention_warehouse/settings.py resolves them
# (where their defaults are written; it needs only the standard library, so it runs before `make install`).
$(foreach setting,$(shell $(PYTHON) -m cli.settings 2>/dev/null),$(eval export $(setting)))
export GX_ANALYTICS_ENABLED := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export UV_PYTHON_DOWNLOADS := never
DBT := $(BIN)/dbt
DBT_FLAGS := --project-dir . --profiles-dir .
DBT_SOURCES := dbt_project.yml profiles.yml packages.yml $(shell find models macros seeds tests/dbt -type f 2>/dev/null)

.PHONY: help install install-spark manifest sample run profile dev docs sql browser parquet cdnow bench bench-incremental \
	test test-unit test-integration test-reliability test-spark lint clean distclean superset superset-bundle superset-lock test-superset

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

# Setup
.tools/bin/uv:
	@echo "Installing uv $(UV_VERSION) into .tools/"
	@$(PYTHON) -m venv .tools
	@.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: uv.lock pyproject.toml | $(UV)
	@echo "Installing the locked dependencies into $(VENV) (uv.lock)"
	@$(UV) sync --frozen --quiet --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed  ## create .venv from the lock file

$(VENV)/.installed-spark: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON) --group spark
	@touch $(VENV)/.installed $@

install-spark: $(VENV)/.installed-spark  ## also install dbt-spark[session] (pyspark; needs Java 17)

target/manifest.json: $(VENV)/.installed $(DBT_SOURCES)
	@echo "Parsing the dbt project (dbt deps, dbt parse)"
	@$(DBT) deps $(DBT_FLAGS) --quiet
	@$(DBT) parse $(DBT_FLAGS) --quiet
	@touch $@

manifest: target/manifest.json  ## parse the dbt project (Dagster needs the manifest)

# Build and explore
sample: $(VENV)/.installed  ## (re)generate the sample data into RW_LANDING_DIR
	$(BIN)/python -m cli.sample --out $(RW_LANDING_DIR)

run: target/manifest.json  ## build the whole warehouse (sample data if the landing folder is empty) and publish
	@$(BIN)/python -m cli.run

profile: $(VENV)/.installed  ## the event names loaded, with counts, and a starting warehouse.yml for them
	@$(BIN)/python -m cli.profile

DEV_PORT ?= 3000
dev: target/manifest.json  ## Dagster UI on http://127.0.0.1:3000
	@mkdir -p $(DAGSTER_HOME)
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p $(DEV_PORT)

docs: target/manifest.json  ## dbt docs on http://127.0.0.1:8080 (after make run)
	$(DBT) docs generate $(DBT_FLAGS)
	$(DBT) docs serve $(DBT_FLAGS) --host 127.0.0.1 --port 8080 --no-browser

sql: $(VENV)/.installed  ## interactive SQL (harlequin) on the published warehouse, read-only
	$(BIN)/harlequin --read-only $(RW_WAREHOUSE_DIR)/published/retention.duckdb

parquet: $(VENV)/.installed  ## export the raw layer of the work DuckDB file to Parquet (for Spark), RW_PARQUET_DIR
	$(BIN)/python -m cli.parquet_export

cdnow: target/manifest.json  ## the CDNOW purchase log (from lifetimes) as an orders feed, in data/cdnow/
	$(BIN)/python -m cli.cdnow --landing data/cdnow/landing --warehouse data/cdnow/warehouse

# Superset (docs/bi.md) in an environment of its own, from its own lock file: its dependencies conflict with ours
SUPERSET_VENV := .superset/venv
SUPERSET_PORT ?= 8088

$(SUPERSET_VENV)/.installed: retention_warehouse/superset/requirements.lock | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(SUPERSET_VENV)
	$(UV) pip sync --quiet --python $(SUPERSET_VENV)/bin/python retention_warehouse/superset/requirements.lock
	@touch $@

superset: $(SUPERSET_VENV)/.installed  ## Superset on http://127.0.0.1:8088 with the Retention dashboard (after make run)
	$(SUPERSET_VENV)/bin/python retention_warehouse/superset/launch.py --warehouse-dir $(RW_WAREHOUSE_DIR) --port $(SUPERSET_PORT)

superset-bundle:  ## the Retention dashboard as a ZIP to import into another Superset (after make run)
	$(PYTHON) retention_warehouse/superset/bundle.py --published-db $(RW_WAREHOUSE_DIR)/published/retention.duckdb \
		--out $(RW_WAREHOUSE_DIR)/superset/retention_dashboard.zip

superset-lock: | $(UV)  ## regenerate retention_warehouse/superset/requirements.lock from retention_warehouse/superset/requirements.in
	$(UV) pip compile --quiet --python-version 3.11 --generate-hashes --custom-compile-command "make superset-lock" \
		-o retention_warehouse/superset/requirements.lock retention_warehouse/superset/requirements.in

# Benchmarks (scripts, not tests; docs/benchmarks.md and docs/incremental.md)
TIER ?= S
BENCH_MEMORY ?= 8GB
BENCH_FLAGS ?=
bench: target/manifest.json  ## TIER=S|M|L: full build, lower bound, one-day refresh and pandas at scale (BENCH_FLAGS=--full-only: the first two)
	$(BIN)/python -m cli.bench_tiers --tier $(TIER) --memory-limit $(BENCH_MEMORY) $(BENCH_FLAGS)

bench-incremental: target/manifest.json  ## dbt build of one new day vs --full-refresh on a 100-day sample
	$(BIN)/python -m cli.bench_incremental

# Quality gates and tests
PY_PACKAGES := orchestration retention_warehouse cli expectations tests
lint: target/manifest.json  ## style gates: ruff (Python), sqlfluff (models), dbt-bouncer (project-evaluator rules)
	$(BIN)/ruff check $(PY_PACKAGES)
	$(BIN)/ruff format --check $(PY_PACKAGES)
	RW_DUCKDB_PATH=$$(mktemp -d)/lint.duckdb $(BIN)/sqlfluff lint models --disable-progress-bar
	$(BIN)/dbt-bouncer run --config-file dbt-bouncer.yml

browser:  ## install headless Chromium for the report test (Debian, as root); the test skips, saying why, without it
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "could not install chromium: the browser test will be skipped"; \
	else echo "chromium not installed and no root apt-get: the browser test will be skipped"; fi

test-unit: target/manifest.json  ## fast tests: no Dagster job, no dbt build (well under two minutes)
	$(BIN)/python -m pytest -m "not integration and not superset and not reliability"

test-integration: target/manifest.json browser  ## tests that run the Dagster job or dbt (dbt unit tests, end to end)
	$(BIN)/python -m pytest -m "integration and not superset and not reliability"

test-reliability: target/manifest.json  ## faults injected into real refreshes of a tiny sample: kill -9, two at once, full disk
	$(BIN)/python -m pytest -m reliability

test: lint test-unit test-integration  ## every layer: lint, then the unit and the integration tests

test-superset: target/manifest.json $(SUPERSET_VENV)/.installed browser  ## make superset on a small sample in headless Chromium
	$(BIN)/python -m pytest -m superset

test-spark: $(VENV)/.installed-spark target/manifest.json  ## build on Spark and DuckDB from a small sample, compare every public model
	$(BIN)/python -m cli.spark_parity --users 300 --days 30

# Housekeeping
clean:  ## remove build outputs and the local warehouse (keeps landing data and .venv)
	rm -rf target logs dbt_packages .pytest_cache .ruff_cache $(RW_WAREHOUSE_DIR)

distclean: clean  ## also remove .venv, .tools and Superset's environment
	rm -rf $(VENV) .tools .superset
