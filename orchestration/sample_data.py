"""Deterministic sample data: all six feeds of the data contract, with behaviour worth analysing.

    python -m orchestration.sample_data --users 5000 --days 120 --seed 42 --out data/landing

What is planted (so the marts have something true to find):
- retention decays like a power curve, p(active on day k) ~ k^-0.3, lower on weekends' eve, higher on weekends;
- acquisition channels differ in quality (referral retains best, paid social worst) and in cost per user;
- age groups and city tiers retain differently; about 5% of users create content;
- order amounts are log-normal (skewed); subscriptions renew with a 75% chance per period; NPS answers;
- the funnel events of METRICS.md section 4 (view -> product -> cart -> checkout -> payment), in order.
- onboarding (avatar_uploaded, then up to 3 follow_topic) and properties.checkout_id on the checkout steps (issue 5).

Everything is vectorised with numpy, so 5,000 users x 120 days take a few seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

CHANNELS = {  # name: (share of signups, retention multiplier, acquisition cost per user)
    "organic": (0.30, 1.10, 0.0),
    "search": (0.20, 1.00, 18.0),
    "paid_social": (0.25, 0.75, 32.0),
    "referral": (0.15, 1.30, 9.0),
    "influencer": (0.10, 0.90, 45.0),
}
PLATFORMS = {"ios": 0.35, "android": 0.45, "web": 0.10, "mini_program": 0.10}
CITY_TIERS = {"tier1": (0.25, 1.10), "tier2": (0.30, 1.00), "tier3": (0.25, 0.92), "tier4": (0.20, 0.85)}
REGIONS = ["east", "north", "south", "west", "central"]
# birth-year band: (share, retention multiplier)
BIRTH_YEARS = {
    (1997, 2008): (0.35, 1.05),
    (1981, 1996): (0.40, 1.00),
    (1965, 1980): (0.17, 0.95),
    (1950, 1964): (0.08, 0.90),
}
WEEKDAY_FACTOR = np.array([0.95, 0.93, 0.95, 0.97, 1.02, 1.10, 1.08])  # Monday .. Sunday

# Per active day: mean count of each browsing / interaction event for an average user.
DAILY_EVENT_RATES = {
    "content_view": 3.0,
    "search": 0.6,
    "product_view": 1.2,
    "add_to_cart": 0.25,
    "like": 0.9,
    "comment": 0.25,
    "share": 0.12,
    "follow": 0.10,
    "invite": 0.02,
}
CHECKOUT_STEPS = ["checkout_started", "payment_method_selected", "payment_submitted", "payment_succeeded"]
CHECKOUT_STEP_PASS = [1.0, 0.82, 0.88, 0.90]


@dataclass(frozen=True)
class SampleSpec:
    users: int = 5000
    days: int = 120
    seed: int = 42
    start: date = date(2026, 1, 5)  # a Monday

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)


def _pick(rng: np.random.Generator, options: dict, n: int) -> np.ndarray:
    names = list(options)
    weights = np.array([v[0] if isinstance(v, tuple) else v for v in options.values()], dtype=float)
    return np.array(names, dtype=object)[rng.choice(len(names), size=n, p=weights / weights.sum())]


def _iso(ts: np.ndarray) -> np.ndarray:
    """datetime64[s] (UTC) -> ISO 8601 strings with a Z."""
    return np.char.add(np.datetime_as_string(ts.astype("datetime64[s]"), unit="s").astype(str), "Z")


def generate_users(spec: SampleSpec, rng: np.random.Generator) -> pd.DataFrame:
    n = spec.users
    # Growth: later days bring a few more signups.
    day_weights = np.linspace(0.8, 1.2, spec.days)
    signup_day = rng.choice(spec.days, size=n, p=day_weights / day_weights.sum())
    signup_second = rng.integers(0, 86_400, size=n)
    channel = _pick(rng, CHANNELS, n)
    tier = _pick(rng, CITY_TIERS, n)
    band_index = rng.choice(len(BIRTH_YEARS), size=n, p=[v[0] for v in BIRTH_YEARS.values()])
    bands = list(BIRTH_YEARS)
    birth_year = np.array([rng.integers(bands[i][0], bands[i][1] + 1) for i in band_index])
    quality = (
        np.array([CHANNELS[c][1] for c in channel])
        * np.array([CITY_TIERS[t][1] for t in tier])
        * np.array([list(BIRTH_YEARS.values())[i][1] for i in band_index])
        * rng.lognormal(0.0, 0.35, size=n)
    )
    start = np.datetime64(spec.start, "s")
    return pd.DataFrame(
        {
            "user_id": [f"u{i:07d}" for i in range(1, n + 1)],
            "signup_day": signup_day,
            "signup_at": start + signup_day.astype("timedelta64[D]") + signup_second.astype("timedelta64[s]"),
            "acquisition_channel": channel,
            "platform": _pick(rng, PLATFORMS, n),
            "city_tier": tier,
            "region": np.array(REGIONS, dtype=object)[rng.integers(0, len(REGIONS), size=n)],
            "birth_year": birth_year,
            "quality": quality,
            "is_creator": rng.random(n) < 0.05,
            "spend_propensity": rng.lognormal(0.0, 0.6, size=n),
        }
    )


def active_user_days(spec: SampleSpec, users: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per (user, day) on which the user is active; day 0 (signup) always is."""
    chunks = []
    chunk = 20_000
    starts = range(0, len(users), chunk)
    for lo in tqdm(starts, desc="activity", unit="chunk", disable=len(users) <= 50_000):
        part = users.iloc[lo : lo + chunk]
        days = np.arange(spec.days)
        k = days[None, :] - part["signup_day"].to_numpy()[:, None]  # days since signup
        weekday = (np.datetime64(spec.start, "D").astype("datetime64[D]").view("int64") + days + 3) % 7
        prob = 0.36 * np.power(np.maximum(k, 1), -0.30) * part["quality"].to_numpy()[:, None]
        prob = np.clip(prob * WEEKDAY_FACTOR[weekday][None, :], 0.0, 0.97)
        active = (k == 0) | ((k > 0) & (rng.random(k.shape) < prob))
        rows, cols = np.nonzero(active)
        chunks.append(pd.DataFrame({"user_row": rows + lo, "day": cols, "days_since_signup": k[rows, cols]}))
    return pd.concat(chunks, ignore_index=True)


def generate_events(spec: SampleSpec, users: pd.DataFrame, days: pd.DataFrame, rng: np.random.Generator):
    start = np.datetime64(spec.start, "s")
    user_row = days["user_row"].to_numpy()
    day = days["day"].to_numpy()
    quality = users["quality"].to_numpy()[user_row]
    # Sessions start between 07:00 and 23:00 UTC, or right after signup on day 0.
    session_start = (
        start + day.astype("timedelta64[D]") + rng.integers(7 * 3600, 23 * 3600, len(day)).astype("timedelta64[s]")
    )
    signup_at = users["signup_at"].to_numpy().astype("datetime64[s]")[user_row]
    first_day = days["days_since_signup"].to_numpy() == 0
    session_start = np.where(first_day, signup_at + np.timedelta64(60, "s"), session_start)
    names, who, when, props = [], [], [], []

    def emit(name: str, mask_or_rows: np.ndarray, times: np.ndarray, properties: np.ndarray | None = None) -> None:
        names.append(np.full(len(times), name, dtype=object))
        who.append(user_row[mask_or_rows])
        when.append(times)
        props.append(np.full(len(times), None, dtype=object) if properties is None else properties)

    all_rows = np.arange(len(day))
    emit("sign_up", all_rows[first_day], signup_at[first_day])
    emit("app_open", all_rows, session_start)
    for name, rate in DAILY_EVENT_RATES.items():
        counts = rng.poisson(rate * np.sqrt(quality))
        rows = np.repeat(all_rows, counts)
        offsets = rng.integers(30, 3600, len(rows)).astype("timedelta64[s]")
        emit(name, rows, session_start[rows] + offsets)
    creator = users["is_creator"].to_numpy()[user_row]
    posts = rng.poisson(np.where(creator, 0.8, 0.01))
    rows = np.repeat(all_rows, posts)
    emit("post_content", rows, session_start[rows] + rng.integers(60, 3600, len(rows)).astype("timedelta64[s]"))

    # Checkout attempts: each step passes with its own probability, in order, a minute apart.
    buy_prob = np.clip(0.06 * users["spend_propensity"].to_numpy()[user_row] * quality, 0, 0.6)
    reached = rng.random(len(day)) < buy_prob
    base = session_start + np.timedelta64(3700, "s")
    order_rows = np.array([], dtype=int)
    for step, (name, pass_rate) in enumerate(zip(CHECKOUT_STEPS, CHECKOUT_STEP_PASS, strict=True)):
        reached = reached & (rng.random(len(day)) < pass_rate)
        # properties.checkout_id (issue 5): the same id on every step of one attempt, for held-constant funnels.
        checkout_ids = np.array([json.dumps({"checkout_id": f"c{r:08d}"}) for r in all_rows[reached]], dtype=object)
        emit(name, all_rows[reached], base[reached] + np.timedelta64(60 * step, "s"), checkout_ids)
        order_rows = all_rows[reached]
    order_rows = order_rows[
        base[order_rows] + np.timedelta64(3600, "s") < np.datetime64(spec.end + timedelta(days=1), "s")
    ]
    order_at = base[order_rows] + np.timedelta64(60 * len(CHECKOUT_STEPS), "s")
    amount = rng.lognormal(4.6, 0.9, len(order_rows))  # median about 100, long right tail
    # Whales: the top 1% by spend propensity spend ten times as much per order, so some users cross the
    # high-value threshold (trailing-365-day spend > 5,000). No extra random draws: the rest of the sample is as before.
    propensity = users["spend_propensity"].to_numpy()
    is_whale = propensity >= np.quantile(propensity, 0.99)
    amount = np.round(np.where(is_whale[user_row[order_rows]], amount * 10, amount), 2)
    status = np.where(rng.random(len(order_rows)) < 0.04, "refunded", "paid").astype(object)
    status[rng.random(len(order_rows)) < 0.02] = "cancelled"
    paid = status == "paid"
    emit("order_paid", order_rows[paid], order_at[paid])
    reviewed = paid & (rng.random(len(order_rows)) < 0.15)
    emit("review", order_rows[reviewed], order_at[reviewed] + np.timedelta64(600, "s"))

    # Passive events: pushes land on any day, active or not; they never count as activity.
    pushes = rng.random(len(users) * 8) < 0.6
    push_user = np.repeat(np.arange(len(users)), 8)[pushes]
    push_day = users["signup_day"].to_numpy()[push_user] + rng.integers(0, spec.days, len(push_user))
    keep = push_day < spec.days
    names.append(np.full(int(keep.sum()), "push_sent", dtype=object))
    who.append(push_user[keep])
    when.append(start + push_day[keep].astype("timedelta64[D]") + np.timedelta64(9 * 3600, "s"))
    props.append(np.full(int(keep.sum()), None, dtype=object))

    events = pd.DataFrame(
        {
            "user_row": np.concatenate(who),
            "event_name": np.concatenate(names),
            "event_at": np.concatenate(when),
            "properties": np.concatenate(props),
        }
    )
    last_second = np.datetime64(spec.end, "s") + np.timedelta64(86_399, "s")
    events = events[events["event_at"] <= last_second]  # sessions late on the last day stop at midnight
    events = events.sort_values(["event_at", "user_row"], kind="stable").reset_index(drop=True)
    events.insert(0, "event_id", [f"e{i:09d}" for i in range(1, len(events) + 1)])
    events = _with_onboarding_events(spec, users, events, last_second)
    events["user_id"] = users["user_id"].to_numpy()[events["user_row"].to_numpy()]
    events["platform"] = users["platform"].to_numpy()[events["user_row"].to_numpy()]
    events["session_id"] = events["user_id"] + "-" + events["event_at"].to_numpy().astype("datetime64[D]").astype(str)
    events["properties"] = events.pop("properties")  # last column (issue 5 added it)
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i:08d}" for i in range(1, len(order_rows) + 1)],
            "user_id": users["user_id"].to_numpy()[user_row[order_rows]],
            "order_time": _iso(order_at),
            "amount": amount,
            "currency": "CNY",
            "status": status,
        }
    )
    return events, orders


# --- Onboarding events (issue 5) -------------------------------------------------------------------------------
# A separate random stream, and event ids with their own prefix, so every other event and feed stays as it was.
ONBOARDING_AVATAR_SHARE = 0.55
ONBOARDING_TOPIC_FOLLOWS = {0: 0.15, 1: 0.15, 2: 0.20, 3: 0.50}  # follow_topic events after the avatar upload


def _with_onboarding_events(
    spec: SampleSpec, users: pd.DataFrame, events: pd.DataFrame, last_second: np.datetime64
) -> pd.DataFrame:
    """On the signup day a share of users uploads an avatar, then follows up to 3 topics (some over days)."""
    rng = np.random.default_rng([spec.seed, 5])
    n = len(users)
    uploads = rng.random(n) < ONBOARDING_AVATAR_SHARE
    avatar_at = users["signup_at"].to_numpy().astype("datetime64[s]") + rng.integers(120, 1800, n).astype(
        "timedelta64[s]"
    )
    follows = rng.choice(list(ONBOARDING_TOPIC_FOLLOWS), size=n, p=list(ONBOARDING_TOPIC_FOLLOWS.values()))
    # Half of the users follow within the hour, the others spread their follows over up to 10 days.
    spread = np.where(rng.random(n) < 0.5, 3600, 10 * 86_400)
    rows = np.flatnonzero(uploads)
    follow_rows = np.repeat(rows, follows[rows])
    follow_at = avatar_at[follow_rows] + rng.integers(30, spread[follow_rows]).astype("timedelta64[s]")
    extra = pd.DataFrame(
        {
            "user_row": np.concatenate([rows, follow_rows]),
            "event_name": np.array(["avatar_uploaded"] * len(rows) + ["follow_topic"] * len(follow_rows), dtype=object),
            "event_at": np.concatenate([avatar_at[rows], follow_at]),
            "properties": np.full(len(rows) + len(follow_rows), None, dtype=object),
        }
    )
    extra = extra[extra["event_at"] <= last_second].sort_values(["event_at", "user_row"], kind="stable")
    extra.insert(0, "event_id", [f"ob{i:09d}" for i in range(1, len(extra) + 1)])
    merged = pd.concat([events, extra], ignore_index=True)
    return merged.sort_values(["event_at", "user_row"], kind="stable").reset_index(drop=True)


# --- end of onboarding events -----------------------------------------------------------------------------------


def generate_subscriptions(spec: SampleSpec, users: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    subscribers = users[rng.random(len(users)) < 0.08]
    rows = []
    end = np.datetime64(spec.end, "s") + np.timedelta64(86_399, "s")
    for sub_no, (_, user) in enumerate(subscribers.iterrows(), start=1):
        start = user["signup_at"] + np.timedelta64(int(rng.integers(0, 14)), "D")
        plan = "monthly_plus" if rng.random() < 0.7 else "monthly_basic"
        while start <= end:
            stop = start + np.timedelta64(30, "D")
            rows.append(
                (
                    f"s{sub_no:06d}",
                    user["user_id"],
                    plan,
                    start,
                    stop,
                    30.0 if plan == "monthly_plus" else 15.0,
                )
            )
            if rng.random() > 0.75:
                break
            start = stop + np.timedelta64(int(rng.integers(0, 3)), "h")
    frame = pd.DataFrame(rows, columns=["subscription_id", "user_id", "plan", "period_start", "period_end", "amount"])
    for column in ("period_start", "period_end"):
        frame[column] = _iso(frame[column].to_numpy())
    return frame


def generate_surveys(spec: SampleSpec, users: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    respondents = users[rng.random(len(users)) < 0.12]
    offset = rng.integers(1, 45, len(respondents)).astype("timedelta64[D]")
    when = respondents["signup_at"].to_numpy().astype("datetime64[s]") + offset
    keep = when <= np.datetime64(spec.end, "s")
    scores = rng.choice(11, size=len(respondents), p=np.array([1, 1, 1, 2, 2, 4, 5, 10, 14, 20, 20]) / 80)
    return pd.DataFrame(
        {
            "response_id": [f"r{i:06d}" for i in range(1, int(keep.sum()) + 1)],
            "user_id": respondents["user_id"].to_numpy()[keep],
            "response_time": _iso(when[keep]),
            "score": scores[keep],
        }
    )


def generate_marketing_spend(spec: SampleSpec, users: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    signups = users.groupby(["signup_day", "acquisition_channel"]).size().rename("new_users").reset_index()
    signups["cost"] = signups["acquisition_channel"].map({k: v[2] for k, v in CHANNELS.items()})
    signups = signups[signups["cost"] > 0]
    noise = rng.uniform(0.8, 1.2, len(signups))
    return pd.DataFrame(
        {
            "spend_date": (np.datetime64(spec.start, "D") + signups["signup_day"].to_numpy()).astype(str),
            "channel": signups["acquisition_channel"].to_numpy(),
            "spend": np.round(signups["new_users"].to_numpy() * signups["cost"].to_numpy() * noise, 2),
        }
    )


def write_landing(spec: SampleSpec, out: Path) -> dict[str, int]:
    """Generate every feed and write it under `out`; returns rows written per feed."""
    rng = np.random.default_rng(spec.seed)
    users = generate_users(spec, rng)
    days = active_user_days(spec, users, rng)
    events, orders = generate_events(spec, users, days, rng)
    subscriptions = generate_subscriptions(spec, users, rng)
    surveys = generate_surveys(spec, users, rng)
    spend = generate_marketing_spend(spec, users, rng)

    for feed in ("events", "users", "orders", "marketing_spend", "subscriptions", "surveys"):
        (out / feed).mkdir(parents=True, exist_ok=True)

    # Events: one Parquet file per UTC day, as an export job would drop them.
    event_day = events["event_at"].to_numpy().astype("datetime64[D]")
    events_out = events.drop(columns=["user_row"]).rename(columns={"event_at": "event_time"})
    events_out["event_time"] = events_out["event_time"].dt.tz_localize(UTC)
    boundaries = np.flatnonzero(np.diff(event_day.view("int64"))) + 1
    for lo, hi in tqdm(
        list(zip(np.r_[0, boundaries], np.r_[boundaries, len(events)], strict=True)),
        desc="events",
        unit="day",
        disable=len(events) < 5_000_000,
    ):
        day = str(event_day[lo])
        table = pa.Table.from_pandas(events_out.iloc[lo:hi], preserve_index=False)
        pq.write_table(table, out / "events" / f"events_{day}.parquet")

    users_out = users[["user_id", "signup_at", "acquisition_channel", "platform", "city_tier", "region", "birth_year"]]
    users_out = users_out.rename(columns={"signup_at": "signup_time"})
    users_out["signup_time"] = _iso(users_out["signup_time"].to_numpy())
    users_out.to_csv(out / "users" / "users.csv", index=False)
    orders.to_csv(out / "orders" / "orders.csv", index=False)
    spend.to_csv(out / "marketing_spend" / "marketing_spend.csv", index=False)
    with open(out / "subscriptions" / "subscriptions.jsonl", "w", encoding="utf-8") as handle:
        for record in subscriptions.to_dict(orient="records"):
            handle.write(json.dumps(record) + "\n")
    surveys.to_csv(out / "surveys" / "nps_responses.csv", index=False)
    return {
        "events": len(events),
        "users": len(users),
        "orders": len(orders),
        "marketing_spend": len(spend),
        "subscriptions": len(subscriptions),
        "surveys": len(surveys),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=SampleSpec.users)
    parser.add_argument("--days", type=int, default=SampleSpec.days)
    parser.add_argument("--seed", type=int, default=SampleSpec.seed)
    parser.add_argument("--start", type=date.fromisoformat, default=SampleSpec.start, help="first day (UTC)")
    parser.add_argument("--out", type=Path, default=Path("data/landing"), help="landing folder to write")
    args = parser.parse_args(argv)
    spec = SampleSpec(users=args.users, days=args.days, seed=args.seed, start=args.start)
    began = datetime.now()
    counts = write_landing(spec, args.out)
    seconds = (datetime.now() - began).total_seconds()
    summary = ", ".join(f"{feed} {rows:,}" for feed, rows in counts.items())
    print(f"sample data ({spec.start} .. {spec.end}, seed {spec.seed}) -> {args.out}: {summary} in {seconds:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
