"""Benchmarks: scripts that time the warehouse (not tests)."""
