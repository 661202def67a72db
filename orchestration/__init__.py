"""Dagster orchestration of the Retention Warehouse: ingestion, dbt models, checks, publishing."""
