"""Anomaly warnings: marts.fct_metric_anomalies scores the latest value against its trailing 56 days (its dbt unit
test works the scores out by hand); the check's rule flags |z| > sigma with at least 14 history days."""

from __future__ import annotations

import statistics
from datetime import date

from orchestration.checks.quality import find_anomalies

HISTORY = [100 + (7 if i % 2 else -7) for i in range(56)]  # 93, 107, ...: mean 100, sample sd 7.06
SPIKE_Z = (160 - 100) / statistics.stdev(HISTORY)  # 8.5


def test_a_dau_spike_is_flagged_and_normal_noise_is_not():
    spike = ("dau", date(2026, 2, 26), 160.0, 100.0, 56, SPIKE_Z)
    noise = ("d1_retention_rate", date(2026, 2, 25), 0.41, 0.40, 56, 1.2)
    flagged = find_anomalies([spike, noise], sigma=3)
    assert len(flagged) == 1 and flagged[0].startswith("dau on 2026-02-26: 160 vs trailing mean 100 (z = +8.5)")
    assert find_anomalies([spike, noise], sigma=9) == []


def test_a_drop_is_flagged_like_a_spike():
    assert len(find_anomalies([("d7_retention_rate", date(2026, 2, 20), 0.1, 0.25, 30, -4.0)], sigma=3)) == 1


def test_too_little_history_or_no_spread_is_not_judged():
    assert find_anomalies([("dau", date(2026, 1, 5), 500.0, 100.0, 4, 400.0)], sigma=3) == []
    assert find_anomalies([("dau", date(2026, 1, 5), 500.0, 100.0, 56, None)], sigma=3) == []
