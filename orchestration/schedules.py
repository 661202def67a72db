"""A daily refresh, whether or not the sensor saw new files; skipped when nothing is new (no file to load, the
project and settings those of the published build)."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import retention_refresh
from retention_warehouse.build_state import nothing_new
from retention_warehouse.settings import load_settings

daily_refresh = ScheduleDefinition(
    name="daily_retention_refresh",
    job=retention_refresh,
    cron_schedule="0 6 * * *",
    default_status=DefaultScheduleStatus.STOPPED,
    should_execute=lambda context: not nothing_new(load_settings()),
)
