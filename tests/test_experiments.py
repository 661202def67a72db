"""Experiments: the published results agree with an independent computation from the landing files.

The exposure rules, outcomes and statistics are recomputed here with pandas and scipy.stats from the raw exposures,
users, events and orders (source user ids, no dbt model read), and compared with marts.fct_experiment_results and
marts.fct_experiment_exposures: counts exactly, values, intervals and p-values to 1e-9.
"""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import yaml
from scipy import stats

from retention_warehouse.ingestion import load_landing

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-9
Z = stats.norm.ppf(0.975)


def _vars() -> dict:
    return yaml.safe_load((ROOT / "dbt_project.yml").read_text())["vars"]


def _return_sets(config: dict) -> dict[str, set[str] | None]:
    """Per retention definition, the event names that are a return (None = every active event)."""
    sets = {}
    for definition in config["retention_definitions"]:
        spec = definition["return_events"]
        sets[definition["name"]] = None if spec == "active" else set(config[spec] if isinstance(spec, str) else spec)
    return sets


def _read_landing(landing: Path) -> dict[str, pd.DataFrame]:
    events = pd.read_parquet(landing / "events", columns=["user_id", "event_name", "event_time"])
    events["event_date"] = events["event_time"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    users = pd.read_csv(landing / "users" / "users.csv", dtype={"user_id": str})
    users["signup_at"] = pd.to_datetime(users["signup_time"], utc=True).dt.tz_localize(None)
    orders = pd.read_csv(landing / "orders" / "orders.csv", dtype={"user_id": str})
    orders["order_at"] = pd.to_datetime(orders["order_time"], utc=True).dt.tz_localize(None)
    exposures = pd.read_csv(landing / "experiments" / "exposures.csv", dtype={"user_id": str})
    exposures["exposed_at"] = pd.to_datetime(exposures["exposed_at"], utc=True).dt.tz_localize(None)
    return {"events": events, "users": users, "orders": orders, "exposures": exposures}


def _assignments(data: dict[str, pd.DataFrame], as_of: pd.Timestamp) -> pd.DataFrame:
    exposures = data["exposures"].drop_duplicates()
    in_window = exposures[exposures["exposed_at"].dt.normalize() <= as_of]
    everyone = exposures[["experiment", "user_id"]].drop_duplicates()
    per_user = in_window.groupby(["experiment", "user_id"]).agg(
        variants=("variant", "nunique"), variant=("variant", "min"), first_at=("exposed_at", "min")
    )
    frame = everyone.merge(per_user.reset_index(), on=["experiment", "user_id"], how="left")
    frame["variants"] = frame["variants"].fillna(0)
    known = set(data["users"]["user_id"]) | set(data["events"]["user_id"]) | set(data["orders"]["user_id"])
    signup = data["users"].set_index("user_id")["signup_at"]
    frame["signup_at"] = frame["user_id"].map(signup)
    frame["reason"] = np.select(
        [frame["variants"] == 0, frame["variants"] > 1, ~frame["user_id"].isin(known)],
        ["exposed_after_as_of", "multiple_variants", "unknown_user"],
        default="",
    )
    frame["before_signup"] = frame["first_at"] < frame["signup_at"]
    frame["first_at"] = frame[["first_at", "signup_at"]].max(axis=1)
    frame["exposure_date"] = frame["first_at"].dt.normalize()
    return frame


def _outcomes(data: dict[str, pd.DataFrame], analysed: pd.DataFrame, as_of: pd.Timestamp, config: dict) -> list[dict]:
    """One record per experiment x variant x metric: the per-user values of the mature users in the denominator."""
    passive = set(config["passive_events"])
    active = data["events"][~data["events"]["event_name"].isin(passive)]
    records = []
    for name, names in _return_sets(config).items():
        returns = active if names is None else active[active["event_name"].isin(names)]
        return_days = set(zip(returns["user_id"], returns["event_date"], strict=True))
        for day in config["experiment_retention_days"]:
            target = analysed["exposure_date"] + timedelta(days=day)
            mature = target <= as_of
            value = [(u, d) in return_days for u, d in zip(analysed["user_id"], target, strict=True)]
            records.append((f"{name}_d{day}_retention_rate", "proportion", mature, np.array(value, dtype=float)))
    window = config["experiment_metric_window_days"]
    paid = data["orders"][data["orders"]["status"].fillna("paid") == "paid"]
    joined = analysed[["experiment", "user_id", "first_at", "exposure_date"]].merge(paid, on="user_id")
    joined = joined[
        (joined["order_at"] >= joined["first_at"])
        & (joined["order_at"].dt.normalize() <= joined["exposure_date"] + timedelta(days=window - 1))
    ]
    per_user = joined.groupby(["experiment", "user_id"]).agg(orders=("order_id", "count"), revenue=("amount", "sum"))
    money = analysed.merge(per_user.reset_index(), on=["experiment", "user_id"], how="left").fillna(
        {"orders": 0, "revenue": 0.0}
    )
    mature = (money["exposure_date"] + timedelta(days=window - 1) <= as_of).to_numpy()
    records.append(("paying_rate", "proportion", mature, (money["orders"] >= 1).to_numpy(dtype=float)))
    records.append(("arpu", "mean", mature, money["revenue"].to_numpy(dtype=float)))
    buyers = (money["orders"] >= 1).to_numpy()
    records.append(("repurchase_rate", "proportion", mature & buyers, (money["orders"] >= 2).to_numpy(dtype=float)))
    rows = []
    for metric, kind, mask, values in records:
        mask = np.asarray(mask, dtype=bool)
        for (experiment, variant), index in analysed.groupby(["experiment", "variant"]).indices.items():
            rows.append(
                {
                    "experiment_name": experiment,
                    "variant_name": variant,
                    "metric_name": metric,
                    "metric_kind": kind,
                    "exposed_users": len(index),
                    "sample": values[index][mask[index]],
                }
            )
    return rows


def _wilson(successes: float, n: int) -> tuple[float, float]:
    p = successes / n
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    low, high = (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)
    return (0.0 if successes == 0 else max(0.0, low)), (1.0 if successes == n else min(1.0, high))


def expected_results(landing: Path, config: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    data = _read_landing(landing)
    passive = set(config["passive_events"])
    as_of = data["events"].loc[~data["events"]["event_name"].isin(passive), "event_date"].max()
    assignments = _assignments(data, as_of)
    analysed = assignments[assignments["reason"] == ""].reset_index(drop=True)
    rows = _outcomes(data, analysed, as_of, config)
    control = config["experiment_control_variant"]
    by_key = {(r["experiment_name"], r["metric_name"], r["variant_name"]): r for r in rows}
    out = []
    for row in rows:
        sample, kind = row["sample"], row["metric_kind"]
        n = len(sample)
        result = {k: row[k] for k in ("experiment_name", "variant_name", "metric_name", "exposed_users")}
        result.update(users=n, metric_value=sample.mean() if n else None, successes=sample.sum() if n else None)
        if kind == "proportion" and n:
            result["ci_low"], result["ci_high"] = _wilson(sample.sum(), n)
        elif n > 1:
            half = stats.t.ppf(0.975, n - 1) * sample.std(ddof=1) / math.sqrt(n)
            result["ci_low"], result["ci_high"] = sample.mean() - half, sample.mean() + half
        base = by_key[(row["experiment_name"], row["metric_name"], control)]["sample"]
        if row["variant_name"] != control and n and len(base):
            diff = sample.mean() - base.mean()
            result.update(absolute_lift=diff, relative_lift=diff / base.mean() if base.mean() else None)
            if kind == "proportion":
                x1, x0, n0 = sample.sum(), base.sum(), len(base)
                (l1, u1), (l0, u0) = _wilson(x1, n), _wilson(x0, n0)
                p1, p0 = x1 / n, x0 / n0
                result["difference_ci_low"] = diff - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)  # Newcombe, method 10
                result["difference_ci_high"] = diff + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
                pooled = (x1 + x0) / (n + n0)
                z = diff / math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / n0))
                result.update(test_statistic=z, p_value=2 * stats.norm.sf(abs(z)))
            else:
                welch = stats.ttest_ind(sample, base, equal_var=False)
                v1, v0 = sample.var(ddof=1) / n, base.var(ddof=1) / len(base)
                df = (v1 + v0) ** 2 / (v1**2 / (n - 1) + v0**2 / (len(base) - 1))
                half = stats.t.ppf(0.975, df) * math.sqrt(v1 + v0)
                result.update(
                    test_statistic=welch.statistic,
                    p_value=welch.pvalue,
                    degrees_of_freedom=df,
                    difference_ci_low=diff - half,
                    difference_ci_high=diff + half,
                )
        out.append(result)
    counts = analysed.groupby(["experiment", "variant"]).size()
    srm = []
    for experiment, observed in counts.groupby(level=0):
        test = stats.chisquare(observed.to_numpy())  # equal split: var experiment_splits is empty
        for (_, variant), users in observed.items():
            srm.append(
                {
                    "experiment_name": experiment,
                    "variant_name": variant,
                    "analysed_users": users,
                    "srm_chi_square": test.statistic,
                    "srm_p_value": test.pvalue,
                    "multiple_variant_users": int(
                        (assignments["experiment"].eq(experiment) & assignments["reason"].eq("multiple_variants")).sum()
                    ),
                    "exposed_after_as_of_users": int(
                        (
                            assignments["experiment"].eq(experiment) & assignments["reason"].eq("exposed_after_as_of")
                        ).sum()
                    ),
                    "exposed_before_signup_users": int(
                        (analysed["experiment"].eq(experiment) & analysed["before_signup"]).sum()
                    ),
                }
            )
    return pd.DataFrame(out), pd.DataFrame(srm)


def _compare(published: Path, landing: Path) -> pd.DataFrame:
    config = _vars()
    expected, expected_srm = expected_results(landing, config)
    with duckdb.connect(str(published), read_only=True) as conn:
        actual = conn.execute("select * from marts.fct_experiment_results").df()
        actual_srm = conn.execute("select * from marts.fct_experiment_exposures").df()
    keys = ["experiment_name", "variant_name", "metric_name"]
    merged = expected.merge(actual, on=keys, how="outer", suffixes=("_expected", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", keys]
    assert len(merged) == len(expected) == len(actual) > 0
    for column in ("exposed_users", "users"):
        assert (merged[f"{column}_expected"] == merged[column]).all(), column
    for column in (
        "metric_value",
        "ci_low",
        "ci_high",
        "absolute_lift",
        "relative_lift",
        "difference_ci_low",
        "difference_ci_high",
        "test_statistic",
        "degrees_of_freedom",
        "p_value",
    ):
        want = pd.to_numeric(merged[f"{column}_expected"], errors="coerce").to_numpy(dtype=float)
        got = merged[column].to_numpy(dtype=float)
        assert (np.isnan(want) == np.isnan(got)).all(), column
        both = ~np.isnan(want)
        worst = np.max(np.abs(want[both] - got[both])) if both.any() else 0.0
        assert worst <= TOLERANCE, f"{column}: off by {worst}"
    srm = expected_srm.merge(actual_srm, on=["experiment_name", "variant_name"], suffixes=("_expected", ""))
    assert len(srm) == len(expected_srm) == len(actual_srm)
    for column in (
        "analysed_users",
        "multiple_variant_users",
        "exposed_after_as_of_users",
        "exposed_before_signup_users",
    ):
        assert (srm[f"{column}_expected"] == srm[column]).all(), column
    for column in ("srm_chi_square", "srm_p_value"):
        assert np.max(np.abs(srm[f"{column}_expected"] - srm[column])) <= TOLERANCE, column
    assert not actual_srm["has_sample_ratio_mismatch"].any()
    # Every exposure rule has cases in the sample, so the comparison covers them.
    rules = ["multiple_variant_users", "exposed_before_signup_users", "exposed_after_as_of_users"]
    assert (srm[rules].max() > 0).all(), srm[rules]
    return actual


def _d7(actual: pd.DataFrame, experiment: str) -> pd.Series:
    rows = actual[
        (actual["experiment_name"] == experiment)
        & (actual["metric_name"] == "activity_d7_retention_rate")
        & ~actual["is_control"]
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_results_agree_with_scipy_on_the_generated_sample(sample_warehouse):
    actual = _compare(sample_warehouse["published"], sample_warehouse["landing"])
    planted, null = _d7(actual, "onboarding_checklist"), _d7(actual, "home_feed_ranking")
    assert planted["p_value"] < 0.05 and planted["absolute_lift"] > 0 and planted["is_significant"]
    assert null["p_value"] >= 0.05 and not null["is_significant"]


def test_bad_exposure_rows_are_quarantined_with_a_reason(tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "exposures.csv").write_text(
        "user_id,experiment,variant,exposed_at\n"
        "u1,Onboarding Checklist,Treatment,2026-01-02T10:00:00Z\n"
        "u1,onboarding_checklist,treatment,2026-01-02T10:00:00Z\n"
        ",onboarding_checklist,control,2026-01-02T10:00:00Z\n"
        "u2,onboarding_checklist,,2026-01-02T10:00:00Z\n"
        "u3,onboarding_checklist,control,yesterday\n"
        "u4,onboarding_checklist,control,2099-01-01T00:00:00Z\n",
        encoding="utf-8",
    )
    conn = duckdb.connect()
    (load,) = load_landing(conn, tmp_path)
    # Names are normalised, so row 2 repeats row 1 (a redelivery): 6 read = 1 accepted + 4 quarantined + 1 duplicate.
    assert (load.rows_read, load.rows_accepted, load.rows_quarantined, load.rows_duplicate) == (6, 1, 4, 1)
    accepted = conn.execute("select user_id, experiment, variant from raw.experiment_exposures").fetchall()
    assert accepted == [("u1", "onboarding_checklist", "treatment")]
    reasons = conn.execute("select row_number, reason_code from raw.raw_quarantine order by 1").fetchall()
    assert reasons == [
        (3, "missing_required_value"),
        (4, "missing_required_value"),
        (5, "invalid_timestamp"),
        (6, "future_timestamp"),
    ]
