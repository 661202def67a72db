"""Deterministic sample data: all six feeds of the data contract, with behaviour worth analysing.

    python -m cli.sample --users 5000 --days 120 --seed 42 --out data/landing      (make sample)

What is planted (so the marts have something true to find):
- retention decays like a power curve, p(active on day k) ~ k^-0.3, lower on weekends' eve, higher on weekends;
- acquisition channels differ in quality (referral retains best, paid social worst) and in cost per user;
- age groups and city tiers retain differently; about 5% of users create content;
- order amounts are log-normal (skewed); subscriptions renew with a 75% chance per period; NPS answers;
- the funnel events of docs/metric_definitions.md#funnels (view -> product -> cart -> checkout -> payment), in order.
- onboarding (avatar_uploaded, then up to 3 follow_topic) and properties.checkout_id on the checkout steps.

Everything is vectorised with numpy, so 5,000 users x 120 days take a few seconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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
    event_rate: float = 1.0  # scales the browsing and interaction events per active day (DAILY_EVENT_RATES)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)


# Benchmark tiers (docs/benchmarks.md): a year of data for 10k, 100k and 1M users (about 1M, 10M and 100M events),
# with half the browsing events per active day of the default sample. The year ends in the past, so no event is
# quarantined as future_timestamp.
TIER_START = date(2025, 1, 6)  # a Monday
TIERS = {
    "S": SampleSpec(users=10_000, days=365, event_rate=0.5, start=TIER_START),
    "M": SampleSpec(users=100_000, days=365, event_rate=0.5, start=TIER_START),
    "L": SampleSpec(users=1_000_000, days=365, event_rate=0.5, start=TIER_START),
}


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


EVENT_NAMES = [
    "sign_up",
    "app_open",
    *DAILY_EVENT_RATES,
    "post_content",
    *CHECKOUT_STEPS,
    "order_paid",
    "review",
    "push_sent",
    "avatar_uploaded",
    "follow_topic",
]
NAME_CODE = {name: code for code, name in enumerate(EVENT_NAMES)}


@dataclass
class EventBatch:
    """Events of one chunk of users in compact columns (no Python strings): strings are made at write time."""

    user_row: np.ndarray  # index into the users frame
    name_code: np.ndarray  # index into EVENT_NAMES
    event_at: np.ndarray  # datetime64[s], UTC
    id_number: np.ndarray  # event_id = "e" (or "ob" for onboarding) + the number, zero-padded to 9 digits
    onboarding: np.ndarray  # bool
    checkout: np.ndarray  # properties.checkout_id number, -1 for none


@dataclass
class Offsets:
    """Where the next chunk's numbering starts, so ids stay unique across chunks."""

    event: int = 0
    onboarding: int = 0
    checkout: int = 0
    order: int = 0


def generate_events(
    spec: SampleSpec,
    users: pd.DataFrame,
    days: pd.DataFrame,
    rng: np.random.Generator,
    offsets: Offsets | None = None,
    chunk: int = 0,
) -> tuple[EventBatch, pd.DataFrame]:
    offsets = offsets or Offsets()
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
    codes, who, when, checkout = [], [], [], []

    def emit(name: str, rows: np.ndarray, times: np.ndarray, checkout_rows: np.ndarray | None = None) -> None:
        codes.append(np.full(len(times), NAME_CODE[name], dtype=np.int8))
        who.append(user_row[rows])
        when.append(times)
        checkout.append(np.full(len(times), -1) if checkout_rows is None else checkout_rows)

    all_rows = np.arange(len(day))
    emit("sign_up", all_rows[first_day], signup_at[first_day])
    emit("app_open", all_rows, session_start)
    for name, rate in DAILY_EVENT_RATES.items():
        counts = rng.poisson(rate * spec.event_rate * np.sqrt(quality))
        rows = np.repeat(all_rows, counts)
        offsets_s = rng.integers(30, 3600, len(rows)).astype("timedelta64[s]")
        emit(name, rows, session_start[rows] + offsets_s)
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
        # properties.checkout_id: the same id on every step of one attempt, for held-constant funnels.
        rows = all_rows[reached]
        emit(name, rows, base[reached] + np.timedelta64(60 * step, "s"), rows + offsets.checkout)
        order_rows = rows
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
    codes.append(np.full(int(keep.sum()), NAME_CODE["push_sent"], dtype=np.int8))
    who.append(push_user[keep])
    when.append(start + push_day[keep].astype("timedelta64[D]") + np.timedelta64(9 * 3600, "s"))
    checkout.append(np.full(int(keep.sum()), -1))

    last_second = np.datetime64(spec.end, "s") + np.timedelta64(86_399, "s")
    events = _numbered_batch(
        np.concatenate(who),
        np.concatenate(codes),
        np.concatenate(when),
        np.concatenate(checkout),
        last_second,
        first_id=offsets.event + 1,
        onboarding=False,
    )
    offsets.event += len(events.id_number)
    offsets.checkout += len(day)
    events = _with_onboarding_events(spec, users, events, last_second, offsets, chunk)
    orders = pd.DataFrame(
        {
            "order_id": _padded("o", np.arange(1, len(order_rows) + 1) + offsets.order, 8).to_numpy(
                zero_copy_only=False
            ),
            "user_id": users["user_id"].to_numpy()[user_row[order_rows]],
            "order_time": _iso(order_at),
            "amount": amount,
            "currency": "CNY",
            "status": status,
        }
    )
    offsets.order += len(order_rows)
    return events, orders


def _numbered_batch(
    user_row: np.ndarray,
    code: np.ndarray,
    event_at: np.ndarray,
    checkout: np.ndarray,
    last_second: np.datetime64,
    first_id: int,
    onboarding: bool,
) -> EventBatch:
    """Events up to the last second (sessions late on the last day stop at midnight), sorted stably by time, then
    user, then emission order, and numbered from first_id."""
    keep = event_at <= last_second
    user_row, code, event_at, checkout = user_row[keep], code[keep], event_at[keep], checkout[keep]
    order = np.lexsort((user_row, event_at))
    return EventBatch(
        user_row=user_row[order],
        name_code=code[order],
        event_at=event_at[order],
        id_number=np.arange(first_id, first_id + len(order)),
        onboarding=np.full(len(order), onboarding),
        checkout=checkout[order],
    )


def _padded(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """prefix + zero-padded number, as Arrow strings (vectorised: f-strings would take minutes at 100M rows)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def events_table(events: EventBatch, user_ids: pa.Array, platforms: pa.Array) -> pa.Table:
    """One day's events as the export file's Arrow table (the data contract's column names)."""
    user_id = user_ids.take(pa.array(events.user_row))
    day = str(events.event_at[0].astype("datetime64[D]"))
    event_id = pc.if_else(
        pa.array(events.onboarding), _padded("ob", events.id_number, 9), _padded("e", events.id_number, 9)
    )
    has_checkout = events.checkout >= 0
    checkout_json = pc.binary_join_element_wise(
        '{"checkout_id": "', _padded("c", np.maximum(events.checkout, 0), 8), '"}', ""
    )
    return pa.table(
        {
            "event_id": event_id.cast(pa.large_string()),
            "event_name": pa.array(EVENT_NAMES, pa.large_string()).take(pa.array(events.name_code)),
            "event_time": pa.array(events.event_at.astype("datetime64[ms]"), pa.timestamp("ms", tz="UTC")),
            "user_id": user_id.cast(pa.large_string()),
            "platform": platforms.take(pa.array(events.user_row)),
            "session_id": pc.binary_join_element_wise(user_id, f"-{day}", "").cast(pa.large_string()),
            "properties": pc.if_else(pa.array(has_checkout), checkout_json, pa.scalar(None, pa.string())),
        }
    )


# Onboarding events
# A separate random stream, and event ids with their own prefix, so every other event and feed stays as it was.
ONBOARDING_AVATAR_SHARE = 0.55
ONBOARDING_TOPIC_FOLLOWS = {0: 0.15, 1: 0.15, 2: 0.20, 3: 0.50}  # follow_topic events after the avatar upload


def _with_onboarding_events(
    spec: SampleSpec,
    users: pd.DataFrame,
    events: EventBatch,
    last_second: np.datetime64,
    offsets: Offsets,
    chunk: int,
) -> EventBatch:
    """On the signup day a share of users uploads an avatar, then follows up to 3 topics (some over days)."""
    rng = np.random.default_rng([spec.seed, 5] if chunk == 0 else [spec.seed, 5, chunk])
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
    user_row = np.concatenate([rows, follow_rows])
    code = np.concatenate(
        [np.full(len(rows), NAME_CODE["avatar_uploaded"]), np.full(len(follow_rows), NAME_CODE["follow_topic"])]
    ).astype(np.int8)
    event_at = np.concatenate([avatar_at[rows], follow_at])
    extra = _numbered_batch(
        user_row,
        code,
        event_at,
        np.full(len(event_at), -1),
        last_second,
        first_id=offsets.onboarding + 1,
        onboarding=True,
    )
    offsets.onboarding += len(extra.id_number)
    merged = {f: np.concatenate([getattr(events, f), getattr(extra, f)]) for f in EventBatch.__dataclass_fields__}
    order = np.lexsort((merged["user_row"], merged["event_at"]))  # stable, so regular events first on a tie
    return EventBatch(**{f: column[order] for f, column in merged.items()})


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


# --- Experiments: exposures of two A/B tests -------------------------------------------------------------------
# Drawn from their own random stream after every other feed, so the other feeds are what they were without them.
# The activity is drawn before the assignment, so an effect is planted by assignment: in onboarding_checklist the
# treatment variant gets a larger share of the users who are active on day 7 after signup (their exposure day),
# which keeps the expected split at 50/50 (no sample ratio mismatch) and raises treatment's D7 retention.
# home_feed_ranking assigns at random (no effect). A few rows exercise the exposure rules: exposures a moment
# before signup, repeated exposures, users exposed to both variants, and exposures after the last day.
EXPERIMENT_D7_SHIFT = 0.10  # P(treatment | active on day 7) = 0.5 + shift * (1 - r), r = share active on day 7


def generate_experiment_exposures(spec: SampleSpec, users: pd.DataFrame, active_day_7: np.ndarray) -> pd.DataFrame:
    rng = np.random.default_rng([spec.seed, 7])
    n = len(users)
    signup_at = users["signup_at"].to_numpy().astype("datetime64[s]")
    last_second = np.datetime64(spec.end, "s") + np.timedelta64(86_399, "s")
    frames = []

    # onboarding_checklist: every user, on the signup screen (up to a minute after signup; 2% a few seconds before).
    share = active_day_7.mean() if n else 0.0
    p_treatment = np.where(active_day_7, 0.5 + EXPERIMENT_D7_SHIFT * (1 - share), 0.5 - EXPERIMENT_D7_SHIFT * share)
    variant = np.where(rng.random(n) < p_treatment, "treatment", "control").astype(object)
    offset = np.where(rng.random(n) < 0.02, -rng.integers(1, 30, n), rng.integers(1, 60, n))
    first_at = signup_at + offset.astype("timedelta64[s]")
    frames.append(pd.DataFrame({"user_id": users["user_id"], "variant": variant, "exposed_at": first_at}))
    repeat = rng.random(n) < 0.3  # seen again later in the same variant
    frames.append(
        pd.DataFrame(
            {
                "user_id": users["user_id"][repeat],
                "variant": variant[repeat],
                "exposed_at": first_at[repeat]
                + rng.integers(3600, 5 * 86_400, int(repeat.sum())).astype("timedelta64[s]"),
            }
        )
    )
    both = rng.random(n) < 0.01  # also saw the other variant: excluded from the experiment
    frames.append(
        pd.DataFrame(
            {
                "user_id": users["user_id"][both],
                "variant": np.where(variant[both] == "control", "treatment", "control"),
                "exposed_at": first_at[both] + rng.integers(60, 86_400, int(both.sum())).astype("timedelta64[s]"),
            }
        )
    )
    checklist = pd.concat(frames, ignore_index=True).assign(experiment="onboarding_checklist")

    # home_feed_ranking: 60% of the users, at a random time in their first 30 days, variant at random.
    exposed = rng.random(n) < 0.6
    feed_at = signup_at[exposed] + rng.integers(0, 30 * 86_400, int(exposed.sum())).astype("timedelta64[s]")
    feed = pd.DataFrame(
        {
            "user_id": users["user_id"][exposed],
            "variant": np.where(rng.random(int(exposed.sum())) < 0.5, "treatment", "control"),
            "exposed_at": feed_at,
        }
    ).assign(experiment="home_feed_ranking")
    # Exposures after the last day of data are dropped, except those of the next day (an export a day ahead).
    feed = feed[feed["exposed_at"].to_numpy() <= last_second + np.timedelta64(86_400, "s")]
    checklist = checklist[checklist["exposed_at"].to_numpy() <= last_second]

    exposures = pd.concat([checklist, feed], ignore_index=True)
    exposures = exposures.sort_values(["exposed_at", "user_id", "experiment"], kind="stable", ignore_index=True)
    return pd.DataFrame(
        {
            "user_id": exposures["user_id"].to_numpy(),
            "experiment": exposures["experiment"].to_numpy(),
            "variant": exposures["variant"].to_numpy(),
            "exposed_at": _iso(exposures["exposed_at"].to_numpy()),
        }
    )


# --- end of experiments -----------------------------------------------------------------------------------------


def write_landing(spec: SampleSpec, out: Path, users_per_chunk: int = 50_000) -> dict[str, int]:
    """Generate every feed and write it under `out`; returns rows written per feed.

    Events are generated for `users_per_chunk` users at a time and appended to one Parquet file per UTC day (a row
    group per chunk), so memory stays flat at any tier: 1M users x 365 days is about 100M events.
    """
    rng = np.random.default_rng(spec.seed)
    users = generate_users(spec, rng)
    for feed in ("events", "users", "orders", "marketing_spend", "subscriptions", "surveys"):
        (out / feed).mkdir(parents=True, exist_ok=True)

    offsets, writers, order_parts = Offsets(), {}, []
    active_day_7 = np.zeros(len(users), dtype=bool)  # read by the experiments block (no random draw)
    chunk_starts = range(0, len(users), users_per_chunk)
    try:
        for chunk, lo in enumerate(tqdm(chunk_starts, desc="events", unit="chunk", disable=len(chunk_starts) == 1)):
            part = users.iloc[lo : lo + users_per_chunk].reset_index(drop=True)
            # The first chunk continues the main stream, so a one-chunk sample is what it always was.
            chunk_rng = rng if chunk == 0 else np.random.default_rng([spec.seed, 100, chunk])
            days = active_user_days(spec, part, chunk_rng)
            active_day_7[lo + days.loc[days["days_since_signup"] == 7, "user_row"].to_numpy()] = True
            events, orders = generate_events(spec, part, days, chunk_rng, offsets, chunk)
            order_parts.append(orders)
            _append_event_days(events, part, out / "events", writers)
    finally:
        for writer in writers.values():
            writer.close()
    orders = pd.concat(order_parts, ignore_index=True)
    subscriptions = generate_subscriptions(spec, users, rng)
    surveys = generate_surveys(spec, users, rng)
    spend = generate_marketing_spend(spec, users, rng)

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
    exposures = generate_experiment_exposures(spec, users, active_day_7)
    (out / "experiments").mkdir(parents=True, exist_ok=True)
    exposures.to_csv(out / "experiments" / "exposures.csv", index=False)
    return {
        "events": offsets.event + offsets.onboarding,
        "users": len(users),
        "orders": len(orders),
        "marketing_spend": len(spend),
        "subscriptions": len(subscriptions),
        "surveys": len(surveys),
        "experiments": len(exposures),
    }


def _append_event_days(events: EventBatch, users: pd.DataFrame, folder: Path, writers: dict) -> None:
    """Events: one Parquet file per UTC day, as an export job would drop them; each chunk adds a row group."""
    user_ids = pa.array(users["user_id"].to_numpy(), pa.string())
    platforms = pa.array(users["platform"].to_numpy(), pa.large_string())
    event_day = events.event_at.astype("datetime64[D]")
    boundaries = np.flatnonzero(np.diff(event_day.view("int64"))) + 1
    for lo, hi in zip(np.r_[0, boundaries], np.r_[boundaries, len(event_day)], strict=True):
        day = EventBatch(**{f: getattr(events, f)[lo:hi] for f in EventBatch.__dataclass_fields__})
        table = events_table(day, user_ids, platforms)
        name = f"events_{event_day[lo]}.parquet"
        if name not in writers:
            writers[name] = pq.ParquetWriter(folder / name, table.schema)
        writers[name].write_table(table)
