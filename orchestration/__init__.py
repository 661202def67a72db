"""Dagster definitions of the Retention Warehouse: assets, checks, jobs, schedules and sensors."""
