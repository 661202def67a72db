"""Anomaly warnings: the SQL scores the latest value against its trailing 56 days; the rule flags |z| > sigma."""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import duckdb

from orchestration.checks.quality import ANOMALY_SQL, find_anomalies


def test_a_dau_spike_is_flagged_and_normal_noise_is_not():
    start = date(2026, 1, 1)
    history = [100 + (7 if i % 2 else -7) for i in range(56)]  # 93, 107, ...: mean 100, sample sd 7.06
    with duckdb.connect() as conn:
        conn.execute("create schema intermediate; create schema marts")
        conn.execute("create table intermediate.int_users_activity_days (user_key varchar, activity_date date)")
        rows = [(f"u{u}", start + timedelta(days=d)) for d, n in enumerate([*history, 160]) for u in range(n)]
        conn.executemany("insert into intermediate.int_users_activity_days values (?, ?)", rows)
        conn.execute(
            "create table marts.fct_cohort_retention (retention_definition varchar, grain varchar, "
            "cohort_start date, breakdown_name varchar, retention_type varchar, period_number integer, "
            "retention_rate double, is_mature boolean)"
        )
        scored = conn.execute(ANOMALY_SQL).fetchall()
    [(metric, day, value, mean, sd, days)] = scored
    assert (metric, day, value, days) == ("dau", start + timedelta(days=56), 160, 56)
    assert abs(mean - 100) < 1e-9 and abs(sd - statistics.stdev(history)) < 1e-9
    # z = (160 - 100) / 7.06 = 8.5 > 3: flagged; with sigma 9 it is not.
    assert len(find_anomalies(scored, sigma=3)) == 1 and "dau" in find_anomalies(scored, sigma=3)[0]
    assert find_anomalies(scored, sigma=9) == []


def test_too_little_history_is_not_judged():
    assert find_anomalies([("dau", date(2026, 1, 5), 500.0, 100.0, 1.0, 4)], sigma=3) == []
