"""The vars check (macros/config_check.sql): `dbt run-operation config_check` passes on the project's own vars and
stops a wrong var with one line naming the var and its value.

Every case runs the project's dbt against a throwaway DuckDB file and target folder (so the project's manifest,
which Dagster reads, is never overwritten); the cases run at once, each dbt parse taking several seconds.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT = REPO_ROOT / ".venv" / "bin" / "dbt"

# case -> (--vars, the one line expected, or None when the check passes)
CASES: dict[str, tuple[str, str | None]] = {
    "defaults": ("{}", None),
    "grain": (
        "{grains: {metrics: [day, fortnight], funnels: [week, month], segment_history: [week, month],"
        " lifecycle: [day, week, month], recall: [week, month]}}",
        "config_check: var grains.metrics[1] is 'fortnight'; expected one of day, week, month",
    ),
    "grains_missing_key": (
        "{grains: {metrics: [day, week, month]}}",
        "config_check: var grains.funnels is missing; expected a value (required)",
    ),
    "grains_unknown_key": (
        "{grains: {metrics: [day], funnels: [], segment_history: [week], lifecycle: [day], recall: [week],"
        " cohorts: [week]}}",
        "config_check: var grains.cohorts is ['week']; expected no such key (keys: metrics, funnels,"
        " segment_history, lifecycle, recall)",
    ),
    "unknown_event_set": (
        "{retention_definitions: [{name: r, cohort_type: first_time, start_events: signup,"
        " return_events: no_such_events}]}",
        "config_check: var retention_definitions[0].return_events is 'no_such_events'; expected active,"
        " a list of event names or the name of an event-set var",
    ),
    "funnel_without_steps": (
        "{funnels: [{name: f, mode: ordered, window_seconds: 3600, steps: []}]}",
        "config_check: var funnels[0].steps is []; expected a non-empty list",
    ),
    "funnel_mode": (
        "{funnels: [{name: f, mode: ordered, window_seconds: 3600, steps: [{name: a, events: [a]}]},"
        " {name: g, mode: sequential, window_seconds: 3600, steps: [{name: a, events: [a]}]}]}",
        "config_check: var funnels[1].mode is 'sequential'; expected one of ordered, strict, unordered",
    ),
    "regular_use": (
        "{regular_use: {interactions: 0, days: 7}}",
        "config_check: var regular_use.interactions is 0; expected an integer >= 1",
    ),
    "ltv_horizon_off_the_curve": (
        "{ltv_horizons_days: [30, 45]}",
        "config_check: var ltv_horizons_days[1] is 45; expected one of ltv_days 1, 7, 14, 30, 60, 90, 180, 365",
    ),
    "as_of_date": (
        "{as_of_date: '2026-02-30'}",
        "config_check: var as_of_date is '2026-02-30'; expected a date YYYY-MM-DD",
    ),
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    """Each case's finished `dbt run-operation config_check`, started together."""
    running = {}
    for case, (dbt_vars, _) in CASES.items():
        folder = tmp_path_factory.mktemp(case)
        env = {
            **os.environ,
            "RW_DUCKDB_PATH": str(folder / "check.duckdb"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
        command = [str(DBT), "run-operation", "config_check", "--project-dir", ".", "--profiles-dir", "."]
        command += ["--target-path", str(folder / "target"), "--log-path", str(folder / "logs"), "--vars", dbt_vars]
        running[case] = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    finished = {}
    for case, process in running.items():
        output, _ = process.communicate(timeout=300)
        finished[case] = subprocess.CompletedProcess(process.args, process.returncode, output)
    return finished


@pytest.mark.parametrize("case", list(CASES))
def test_config_check(case: str, outcomes: dict[str, subprocess.CompletedProcess]) -> None:
    expected = CASES[case][1]
    outcome = outcomes[case]
    if expected is None:
        assert outcome.returncode == 0, outcome.stdout
        assert "config_check:" not in outcome.stdout
    else:
        assert outcome.returncode != 0, outcome.stdout
        lines = [line.strip() for line in outcome.stdout.splitlines() if "config_check: var" in line]
        assert lines == [expected], outcome.stdout
