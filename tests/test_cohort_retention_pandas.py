"""An independent implementation of cohort retention in pandas, straight from the landing files, that must agree with
every cell of the published marts.fct_cohort_retention on the generated sample: the three default definitions, day,
ISO-week and month grains, n_period, unbounded and bracket types, every breakdown
(docs/metric_definitions.md#conventions,
docs/metric_definitions.md#retention).

It shares only the configuration (dbt_project.yml vars) with the dbt models, and works the other way round: per
user sets of calendar-period indices (days since the epoch, Monday-based week numbers, year * 12 + month) instead of
SQL joins, a crosstab per cell, a reverse cumulative sum for "on or after n", and its own Wilson interval. Reporting
time zone UTC (the fixture sets it).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from retention_warehouse.settings import REPO_ROOT

EPOCH_MONDAY = date(1970, 1, 5)
GRAINS = ("day", "week", "month")
KEY = [
    "retention_definition",
    "grain",
    "cohort_start",
    "breakdown_name",
    "breakdown_value",
    "retention_type",
    "period_number",
]


def _config() -> dict:
    return yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


# Calendar periods as integers, so that "n periods later" is plain subtraction.
def period_index(days: pd.Series, grain: str) -> pd.Series:
    d = pd.to_datetime(days)
    if grain == "day":
        return (d - pd.Timestamp("1970-01-01")).dt.days
    if grain == "week":
        return (d - pd.Timestamp(EPOCH_MONDAY)).dt.days // 7
    return d.dt.year * 12 + d.dt.month - 1


def period_first_day(index: int, grain: str) -> date:
    if grain == "day":
        return date(1970, 1, 1) + timedelta(days=int(index))
    if grain == "week":
        return EPOCH_MONDAY + timedelta(days=7 * int(index))
    return date(int(index) // 12, int(index) % 12 + 1, 1)


def period_last_day(index: int, grain: str) -> date:
    return period_first_day(index + 1, grain) - timedelta(days=1)


def wilson(successes: int, trials: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return (centre - spread) / (1 + z * z / trials), (centre + spread) / (1 + z * z / trials)


def load_landing(landing, config: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Users with signup day and attributes; one row per user, day and event name of the non-passive events."""
    events = pd.concat([pd.read_parquet(f) for f in sorted((landing / "events").glob("*.parquet"))])
    events = events.drop_duplicates("event_id")
    events = events[~events["event_name"].isin(config["passive_events"])]
    events["day"] = events["event_time"].dt.tz_convert("UTC").dt.date
    events = events[["user_id", "day", "event_name"]].drop_duplicates()

    users = pd.read_csv(landing / "users" / "users.csv", dtype={"user_id": str}).drop_duplicates("user_id", keep="last")
    users["signup_day"] = pd.to_datetime(users["signup_time"], utc=True).dt.date
    # Users known only from events or orders sign up on their first one.
    orders = pd.read_csv(landing / "orders" / "orders.csv", dtype={"user_id": str})
    orders["day"] = pd.to_datetime(orders["order_time"], utc=True).dt.date
    first_seen = pd.concat([events[["user_id", "day"]], orders[["user_id", "day"]]]).groupby("user_id")["day"].min()
    missing = first_seen[~first_seen.index.isin(users["user_id"])]
    users = pd.concat([users, pd.DataFrame({"user_id": missing.index, "signup_day": missing.to_numpy()})])

    def age_group(year) -> str:
        for name, first, last in config["age_groups"]:
            if pd.notna(year) and first <= year <= last:
                return name
        return "unknown"

    users["age_group"] = users["birth_year"].map(age_group) if "birth_year" in users else "unknown"
    for column in ("acquisition_channel", "platform", "city_tier", "region"):
        users[column] = users[column].fillna("unknown").str.lower() if column in users else "unknown"
    return users.reset_index(drop=True), events


def event_days(events: pd.DataFrame, spec, config: dict) -> pd.DataFrame:
    """(user_id, day) pairs with an event of the spec: `active`, an event-set var name, or a list of names."""
    if spec == "signup":
        return events.iloc[0:0][["user_id", "day"]]
    if spec == "active":
        chosen = events
    else:
        names = config[spec] if isinstance(spec, str) else spec
        chosen = events[events["event_name"].isin(names)]
    return chosen[["user_id", "day"]].drop_duplicates()


def expected_retention(users: pd.DataFrame, events: pd.DataFrame, config: dict) -> pd.DataFrame:
    as_of = events["day"].max()
    max_periods = config["retention_max_periods"]
    breakdowns = config["retention_breakdowns"]
    labels = {"day": "D", "week": "W", "month": "M"}
    attributes = users.set_index("user_id")[breakdowns]
    frames = []
    for definition in config["retention_definitions"]:
        returns = event_days(events, definition["return_events"], config)
        returns = returns[returns["day"] <= as_of]
        if definition["start_events"] == "signup":
            entries = users[["user_id", "signup_day"]].rename(columns={"signup_day": "day"})
        else:
            starts = event_days(events, definition["start_events"], config)
            if definition["cohort_type"] == "first_time":
                starts = starts.groupby("user_id", as_index=False)["day"].min()
            entries = starts
        entries = entries[entries["day"] <= as_of]
        for grain in GRAINS:
            top = max_periods[grain]
            cohorts = pd.DataFrame({"user_id": entries["user_id"], "cohort": period_index(entries["day"], grain)})
            cohorts = cohorts.drop_duplicates().reset_index(drop=True)
            cohorts["member"] = np.arange(len(cohorts))
            seen = pd.DataFrame({"user_id": returns["user_id"], "period": period_index(returns["day"], grain)})
            hits = cohorts.merge(seen.drop_duplicates(), on="user_id")
            hits["offset"] = hits["period"] - hits["cohort"]
            hits = hits[hits["offset"] >= 0]
            last = hits.groupby("member")["offset"].max()

            # Each member once per breakdown: ("all", "all") and (attribute, its value at signup).
            split = [cohorts.assign(breakdown_name="all", breakdown_value="all")]
            for name in breakdowns:
                values = attributes[name].reindex(cohorts["user_id"]).fillna("unknown").astype(str).to_numpy()
                split.append(cohorts.assign(breakdown_name=name, breakdown_value=values))
            members = pd.concat(split, ignore_index=True)
            cell = ["cohort", "breakdown_name", "breakdown_value"]
            sizes = members.groupby(cell).size()

            in_range = hits[hits["offset"] <= top]
            per_offset = members.merge(in_range[["member", "offset"]], on="member")
            on_n = per_offset.groupby([*cell, "offset"]).size().unstack(fill_value=0)
            on_n = on_n.reindex(index=sizes.index, columns=range(top + 1), fill_value=0)
            ends = members.assign(last=members["member"].map(last)).dropna(subset=["last"])
            ends["last"] = ends["last"].clip(upper=top).astype(int)
            ending = ends.groupby([*cell, "last"]).size().unstack(fill_value=0)
            ending = ending.reindex(index=sizes.index, columns=range(top + 1), fill_value=0)
            on_or_after = ending.iloc[:, ::-1].cumsum(axis=1).iloc[:, ::-1]

            tables = {"n_period": on_n, "unbounded": on_or_after}
            for retention_type, table in tables.items():
                if retention_type not in config["retention_types"]:
                    continue
                long = table.stack().rename("retained").reset_index()
                long.columns = [*cell, "n", "retained"]
                long["last_needed"] = long["n"]
                long["retention_type"] = retention_type
                long["bracket_label"] = None
                frames.append(_finish(long, sizes, definition, grain, as_of))
            if "bracket" in config["retention_types"]:
                for first, final in config["retention_brackets"].get(grain, []):
                    if final > top:
                        continue
                    inside = per_offset[(per_offset["offset"] >= first) & (per_offset["offset"] <= final)]
                    count = inside.groupby(cell)["member"].nunique().reindex(sizes.index, fill_value=0)
                    long = count.rename("retained").reset_index()
                    long["n"] = first
                    long["last_needed"] = final
                    long["retention_type"] = "bracket"
                    tag = labels[grain]
                    long["bracket_label"] = f"{tag}{first}" + (f"-{tag}{final}" if final != first else "")
                    frames.append(_finish(long, sizes, definition, grain, as_of))
    return pd.concat(frames, ignore_index=True)


def _finish(long: pd.DataFrame, sizes: pd.Series, definition: dict, grain: str, as_of: date) -> pd.DataFrame:
    long = long.join(sizes.rename("cohort_size"), on=["cohort", "breakdown_name", "breakdown_value"])
    needed = long["last_needed"].unique()
    ends = {c: {n: period_last_day(c + n, grain) for n in needed} for c in long["cohort"].unique()}
    long["is_mature"] = [ends[c][n] <= as_of for c, n in zip(long["cohort"], long["last_needed"], strict=True)]
    long["retention_definition"] = definition["name"]
    long["cohort_type"] = definition["cohort_type"]
    long["grain"] = grain
    long["cohort_start"] = [period_first_day(c, grain) for c in long["cohort"]]
    long["period_number"] = long["n"].astype(int)
    long["retained_users"] = long["retained"].where(long["is_mature"])
    return long.drop(columns=["cohort", "n", "retained", "last_needed"])


@pytest.fixture(scope="module")
def both(sample_warehouse) -> tuple[pd.DataFrame, pd.DataFrame]:
    config = _config()
    users, events = load_landing(sample_warehouse["landing"], config)
    expected = expected_retention(users, events, config)
    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        actual = conn.execute("select * from marts.fct_cohort_retention").df()
    actual["cohort_start"] = pd.to_datetime(actual["cohort_start"]).dt.date
    return expected, actual


def test_every_cell_of_fct_cohort_retention_matches_pandas(both):
    expected, actual = both
    assert set(expected["grain"]) == set(GRAINS)
    assert set(expected["retention_type"]) == {"n_period", "unbounded", "bracket"}
    assert len(actual) == len(expected)
    assert not actual.duplicated(KEY).any()
    merged = expected.merge(actual, on=KEY, how="outer", suffixes=("_pandas", "_mart"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(10).to_string()
    for column in ("cohort_type", "cohort_size", "is_mature"):
        differ = merged[merged[f"{column}_pandas"] != merged[f"{column}_mart"]]
        assert differ.empty, differ.head(10).to_string()
    labels = merged["bracket_label_pandas"].fillna("") != merged["bracket_label_mart"].fillna("")
    assert not labels.any()
    retained_p = merged["retained_users_pandas"].astype("Float64")
    retained_m = merged["retained_users_mart"].astype("Float64")
    assert (retained_p.isna() == retained_m.isna()).all()
    both_known = retained_p.notna()
    differ = merged[both_known & (retained_p != retained_m).fillna(False)]
    assert differ.empty, differ.head(10).to_string()
    # Rates and Wilson intervals, recomputed here.
    mature = merged[both_known].copy()
    rate = mature["retained_users_pandas"].astype(float) / mature["cohort_size_pandas"]
    assert np.allclose(mature["retention_rate"], rate, rtol=0, atol=1e-12)
    pairs = zip(mature["retained_users_pandas"], mature["cohort_size_pandas"], strict=True)
    bounds = [wilson(int(r), int(n)) for r, n in pairs]
    assert np.allclose(mature["ci_low"], [b[0] for b in bounds], atol=1e-9)
    assert np.allclose(mature["ci_high"], [b[1] for b in bounds], atol=1e-9)
    assert merged.loc[~both_known, "retention_rate"].isna().all()
    # The sample really exercises the semantics: immature cells, zero cells and unbounded above n_period.
    assert (~merged["is_mature_mart"]).sum() > 0
    assert (retained_m == 0).sum() > 0


def test_weighted_curve_and_summary_agree_with_pandas(both, sample_warehouse):
    expected, _ = both
    mature = expected[expected["is_mature"]]
    curve = (
        mature.groupby(
            [
                "retention_definition",
                "grain",
                "breakdown_name",
                "breakdown_value",
                "retention_type",
                "period_number",
            ]
        )
        .agg(cohorts=("cohort_size", "size"), users=("cohort_size", "sum"), retained=("retained_users", "sum"))
        .reset_index()
    )
    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        published = conn.execute(
            "select retention_definition, grain, breakdown_name, breakdown_value, retention_type, "
            "period_number, mature_cohorts, cohort_users, retained_users, retention_rate from marts.fct_retention_curve"
        ).df()
        summary = conn.execute(
            "select retention_definition, cast(cohort_start as varchar) as cohort_start, breakdown_name, "
            "breakdown_value, cohort_size, d1_retained_users, d7_retained_users, d30_retained_users "
            "from marts.fct_cohort_summary"
        ).df()
    merged = curve.merge(published, on=list(curve.columns[:6]), how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["cohorts"] == merged["mature_cohorts"]).all()
    assert (merged["users"] == merged["cohort_users"]).all()
    assert (merged["retained"] == merged["retained_users"]).all()
    assert np.allclose(merged["retention_rate"], merged["retained"] / merged["users"])

    day = expected[(expected["grain"] == "day") & (expected["retention_type"] == "n_period")]
    assert len(summary) == len(
        day.drop_duplicates(["retention_definition", "cohort_start", "breakdown_name", "breakdown_value"])
    )
    for horizon in (1, 7, 30):
        cells = day[day["period_number"] == horizon].copy()
        cells["cohort_start"] = cells["cohort_start"].astype(str)
        joined = cells.merge(summary, on=["retention_definition", "cohort_start", "breakdown_name", "breakdown_value"])
        assert len(joined) == len(cells)
        mart = joined[f"d{horizon}_retained_users"].astype("Float64")
        mine = joined["retained_users"].astype("Float64")
        assert (mart.isna() == mine.isna()).all()
        assert (mart[mine.notna()] == mine[mine.notna()]).all()


def test_readme_bi_queries_run_on_the_published_marts(sample_warehouse):
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Cohort retention in a BI tool", 1)[1].split("\n## ", 1)[0]
    queries = [block.split("```", 1)[0] for block in section.split("```sql\n")[1:]]
    assert len(queries) == 3
    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        triangle, by_channel, curve = (conn.execute(query).df() for query in queries)
    assert triangle["cohort_start"].nunique() > 5 and triangle["period_number"].max() > 5
    assert set(by_channel["acquisition_channel"]) >= {"organic", "referral", "paid_social"}
    assert by_channel[["d1_retention", "d7_retention", "d30_retention"]].stack().between(0, 1).all()
    assert (curve["ci_low"] <= curve["retention_rate"]).all() and (curve["retention_rate"] <= curve["ci_high"]).all()
    assert curve["period_number"].is_monotonic_increasing and curve["mature_cohorts"].min() >= 1
