"""The standard metrics layer (docs/metric_definitions.md) on the generated sample.

- the published file has every metrics model, every catalog metric is in fct_metrics and vice versa, and every
  metric has values on the sample (except the horizons longer than the sample, which must be present but immature);
- an independent pandas implementation straight from the landing files (written from
  docs/metric_definitions.md, not from the
  model SQL) agrees with fct_metrics for DAU, new users per channel, GMV / orders / buyers / repurchase, NPS and the
  subscription renewal rate;
- every proportion's interval is the Wilson score interval, recomputed here;
- one `mf query` of the MetricFlow semantic layer equals fct_metrics.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from retention_warehouse import metric_catalog
from retention_warehouse.settings import REPO_ROOT

METRICS_MODELS = {
    "fct_engagement_daily",
    "fct_monetization",
    "fct_acquisition",
    "fct_subscription_renewals",
    "fct_nps",
    "fct_metrics",
    "metric_definitions",
    "fct_kpi_scorecard",
}
# The sample spans 75 days: these horizons cannot be observed on it, so they must be present but immature.
LONGER_THAN_THE_SAMPLE = {"d90_retention_rate", "ltv_90d", "ltv_180d", "ltv_365d"}
VARS = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


def _published(sample_warehouse) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(sample_warehouse["published"]), read_only=True)


def _metric(conn, name: str, grain: str, breakdown: str = "all") -> dict:
    rows = conn.execute(
        "select period_start, breakdown_value, numerator, denominator, value from marts.fct_metrics "
        "where metric_name = ? and grain = ? and breakdown_name = ? order by 1, 2",
        [name, grain, breakdown],
    ).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_generated_catalog_files_are_up_to_date():
    assert metric_catalog.stale_outputs(write=False) == [], "run `python -m cli.metric_catalog`"


def test_published_file_has_every_metrics_model_and_every_metric(sample_warehouse):
    catalog = {row["name"] for row in metric_catalog.load_catalog()}
    with _published(sample_warehouse) as conn:
        tables = {
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert tables >= METRICS_MODELS
        published = {n for (n,) in conn.execute("select metric_name from marts.metric_definitions").fetchall()}
        counts = dict(
            conn.execute(
                "select metric_name, count(value) from marts.fct_metrics group by 1",
            ).fetchall()
        )
    assert published == catalog
    assert set(counts) == catalog
    required = {
        "dau", "wau", "mau", "stickiness", "new_users", "d1_retention_rate", "d7_retention_rate",
        "d30_retention_rate", "arpu", "arppu", "paying_rate", "repurchase_rate", "gmv", "aov", "cac", "ltv_to_cac",
        "recall_rate", "renewal_rate", "nps",
    }  # fmt: skip
    assert required <= catalog
    empty = {name for name, n in counts.items() if n == 0}
    assert empty == LONGER_THAN_THE_SAMPLE


def _landing_events(landing: Path) -> pd.DataFrame:
    events = pd.read_parquet(landing / "events")
    events = events[~events["event_name"].isin(VARS["passive_events"])]
    events = events.drop_duplicates("event_id")
    return events.assign(day=events["event_time"].dt.tz_convert("UTC").dt.date)


def test_dau_and_new_users_match_the_landing_files(sample_warehouse):
    landing = sample_warehouse["landing"]
    dau = _landing_events(landing).groupby("day")["user_id"].nunique()
    users = pd.read_csv(landing / "users" / "users.csv")
    users["month"] = pd.to_datetime(users["signup_time"], utc=True).dt.tz_localize(None).dt.to_period("M")
    new_by_channel = users.groupby(["month", "acquisition_channel"]).size()
    with _published(sample_warehouse) as conn:
        published_dau = _metric(conn, "dau", "day")
        published_new = _metric(conn, "new_users", "month", "acquisition_channel")
    assert len(dau) == 75
    assert {day: value for (day, _), (_, _, value) in published_dau.items()} == {d: float(v) for d, v in dau.items()}
    expected_new = {(m.start_time.date(), ch): float(n) for (m, ch), n in new_by_channel.items()}
    assert {key: value for key, (_, _, value) in published_new.items()} == expected_new


def test_monetization_matches_the_landing_files(sample_warehouse):
    orders = pd.read_csv(sample_warehouse["landing"] / "orders" / "orders.csv")
    orders = orders[orders["status"].fillna("paid") == "paid"]
    orders["month"] = pd.to_datetime(orders["order_time"], utc=True).dt.tz_localize(None).dt.to_period("M")
    per_buyer = orders.groupby(["month", "user_id"]).size()
    with _published(sample_warehouse) as conn:
        gmv = _metric(conn, "gmv", "month")
        buyers = _metric(conn, "buyers", "month")
        repurchase = _metric(conn, "repurchase_rate", "month")
    for month, group in orders.groupby("month"):
        key = (month.start_time.date(), "all")
        assert gmv[key][2] == pytest.approx(group["amount"].sum())
        n_buyers = per_buyer.loc[month]
        assert buyers[key][2] == len(n_buyers)
        assert repurchase[key][:2] == ((n_buyers >= 2).sum(), len(n_buyers))
    assert len(gmv) == 3


def test_nps_and_renewal_rate_match_the_landing_files(sample_warehouse):
    landing = sample_warehouse["landing"]
    surveys = pd.read_csv(landing / "surveys" / "nps_responses.csv")
    surveys["month"] = pd.to_datetime(surveys["response_time"], utc=True).dt.tz_localize(None).dt.to_period("M")
    subs = pd.read_json(landing / "subscriptions" / "subscriptions.jsonl", lines=True)
    for column in ("period_start", "period_end"):
        subs[column] = pd.to_datetime(subs[column], utc=True).dt.tz_localize(None)
    subs = subs.sort_values(["subscription_id", "period_start"])
    subs["next_start"] = subs.groupby("subscription_id")["period_start"].shift(-1)
    grace = pd.Timedelta(days=VARS["renewal_grace_days"])
    subs["renewed"] = subs["next_start"] <= subs["period_end"] + grace
    subs["month"] = subs["period_end"].dt.to_period("M")
    with _published(sample_warehouse) as conn:
        nps = _metric(conn, "nps", "month")
        renewal = _metric(conn, "renewal_rate", "month")
        as_of = conn.execute("select max(activity_date) from marts.fct_engagement_daily").fetchone()[0]
    for month, group in surveys.groupby("month"):
        promoters, detractors = (group["score"] >= 9).sum(), (group["score"] <= 6).sum()
        assert nps[(month.start_time.date(), "all")][2] == pytest.approx(100 * (promoters - detractors) / len(group))
    checked = 0
    for month, group in subs.groupby("month"):
        key = (month.start_time.date(), "all")
        if key not in renewal:  # a month after the as-of date is not a metric period
            assert month.start_time.date() > as_of
            continue
        numerator, denominator, value = renewal[key]
        assert denominator == len(group)
        if (month.end_time.normalize() + grace).date() <= as_of:
            assert (numerator, value) == (group["renewed"].sum(), pytest.approx(group["renewed"].mean()))
            checked += 1
        else:
            assert value is None
    assert checked >= 1


def _wilson(successes: float, trials: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return (centre - spread) / (1 + z * z / trials), (centre + spread) / (1 + z * z / trials)


def test_every_rate_has_its_wilson_interval_and_nothing_else_does(sample_warehouse):
    rates = {row["name"] for row in metric_catalog.load_catalog() if row["unit"] == "rate"}
    with _published(sample_warehouse) as conn:
        rows = conn.execute(
            "select metric_name, numerator, denominator, value, ci_low, ci_high from marts.fct_metrics"
        ).fetchall()
    checked = 0
    for name, numerator, denominator, value, low, high in rows:
        if name in rates and value is not None:
            assert (low, high) == pytest.approx(_wilson(numerator, denominator), abs=1e-12)
            assert low - 1e-12 <= value <= high + 1e-12  # the interval holds the rate (to rounding at 0 and 1)
            checked += 1
        else:
            assert low is None and high is None, name
    assert checked > 300


def _mf(sample_warehouse, *args: str) -> subprocess.CompletedProcess:
    """MetricFlow's CLI against the sample's working warehouse (semantic manifest: `make manifest`)."""
    env = dict(os.environ)
    env.update(
        RW_DUCKDB_PATH=str(sample_warehouse["warehouse"] / "work" / "retention.duckdb"),
        DBT_PROFILES_DIR=str(REPO_ROOT),
        RW_TIMEZONE="UTC",
    )
    mf = Path(sys.executable).parent / "mf"
    return subprocess.run(
        [str(mf), *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_metricflow_configs_validate_against_the_built_warehouse(sample_warehouse):
    result = _mf(sample_warehouse, "validate-configs")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERRORS: 0" in result.stdout
    assert "ERRORS: 1" not in result.stdout


def test_metricflow_query_equals_fct_metrics(sample_warehouse, tmp_path):
    """One `mf query` against the sample's working warehouse: monthly D1 retention (a ratio metric) and GMV."""
    out = tmp_path / "mf.csv"
    result = _mf(
        sample_warehouse, "query", "--metrics", "d1_retention_rate,gmv", "--group-by", "metric_time__month",
        "--csv", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    queried = pd.read_csv(out)
    with _published(sample_warehouse) as conn:
        d1 = _metric(conn, "d1_retention_rate", "month")
        gmv = _metric(conn, "gmv", "month")
    assert len(queried) == 3
    for row in queried.itertuples():
        month = pd.Timestamp(row.metric_time__month).date()
        assert row.d1_retention_rate == pytest.approx(d1[(month, "all")][2], rel=1e-9)
        assert row.gmv == pytest.approx(gmv[(month, "all")][2], rel=1e-9)
