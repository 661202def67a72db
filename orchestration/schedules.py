"""A daily refresh, whether or not the sensor saw new files; skipped when nothing is new (no file to load, the
project and settings those of the published build). A weekly full rebuild, the safety net of the incremental models:
it rebuilds them from the whole raw history and runs every test on everything (docs/incremental.md)."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import full_refresh, retention_refresh
from retention_warehouse.build_state import nothing_new
from retention_warehouse.settings import load_settings

daily_refresh = ScheduleDefinition(
    name="daily_retention_refresh",
    job=retention_refresh,
    cron_schedule="0 6 * * *",
    default_status=DefaultScheduleStatus.STOPPED,
    should_execute=lambda context: not nothing_new(load_settings()),
)

weekly_full_rebuild = ScheduleDefinition(
    name="weekly_full_rebuild",
    job=full_refresh,
    cron_schedule="0 4 * * 0",  # Sundays, before the daily refresh
    default_status=DefaultScheduleStatus.STOPPED,
)
