"""Refresh when files land: the cursor is a fingerprint of the landing folder (names, sizes, times)."""

import hashlib

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from orchestration.jobs import retention_refresh
from retention_warehouse.ingestion import landing_files
from retention_warehouse.settings import load_settings


def landing_fingerprint() -> tuple[str, int]:
    digest = hashlib.sha256()
    count = 0
    for _, path in landing_files(load_settings().landing_dir):
        stat = path.stat()
        digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        count += 1
    return digest.hexdigest(), count


@sensor(job=retention_refresh, minimum_interval_seconds=60, default_status=DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: SensorEvaluationContext):
    fingerprint, files = landing_fingerprint()
    if files == 0:
        return SkipReason("the landing folder has no data files")
    if fingerprint == context.cursor:
        return SkipReason(f"no change in the {files} landing files")
    context.update_cursor(fingerprint)
    return RunRequest(run_key=fingerprint)
