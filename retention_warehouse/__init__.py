"""Retention Warehouse library: settings, the loader, the publisher, the report, the sample generator and the
benchmarks. Nothing here depends on Dagster; orchestration/ wires it into assets and cli/ into commands."""
