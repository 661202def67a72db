"""A daily refresh, whether or not the sensor saw new files."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import retention_refresh

daily_refresh = ScheduleDefinition(
    name="daily_retention_refresh",
    job=retention_refresh,
    cron_schedule="0 6 * * *",
    default_status=DefaultScheduleStatus.STOPPED,
)
