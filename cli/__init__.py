"""Command-line entry points (`python -m cli.<command>`): argument parsing around retention_warehouse and the
Dagster job, nothing else."""
