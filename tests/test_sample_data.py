"""The sample generator: deterministic, complete, and with the behaviour the marts are meant to find."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb

from retention_warehouse.sample_data import SampleSpec, write_landing

SMALL = SampleSpec(users=400, days=40, seed=7, start=date(2026, 2, 2))


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_files_and_every_feed_written(tmp_path):
    write_landing(SMALL, tmp_path / "a")
    write_landing(SMALL, tmp_path / "b")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    feeds = {p.name for p in (tmp_path / "a").iterdir()}
    assert feeds == {"events", "users", "orders", "marketing_spend", "subscriptions", "surveys", "experiments"}
    other = write_landing(SampleSpec(users=400, days=40, seed=8, start=SMALL.start), tmp_path / "c")
    assert _digest(tmp_path / "c") != _digest(tmp_path / "a") and other["users"] == 400


def test_behaviour_planted_in_the_sample(tmp_path):
    spec = SampleSpec(users=3000, days=60, seed=11)
    write_landing(spec, tmp_path)
    conn = duckdb.connect()
    conn.execute(f"create view events as select * from read_parquet('{tmp_path}/events/*.parquet')")
    conn.execute(f"create view users as select * from read_csv('{tmp_path}/users/users.csv')")
    names = {n for (n,) in conn.execute("select distinct event_name from events").fetchall()}
    # The event names the default funnels need, plus a passive one.
    assert {
        "sign_up",
        "content_view",
        "product_view",
        "add_to_cart",
        "checkout_started",
        "payment_method_selected",
        "payment_submitted",
        "payment_succeeded",
        "order_paid",
        "like",
        "comment",
        "share",
        "post_content",
        "invite",
        "review",
        "push_sent",
        # the onboarding funnel
        "avatar_uploaded",
        "follow_topic",
    } <= names
    first, last = conn.execute("select min(event_time)::date, max(event_time)::date from events").fetchone()
    assert (first, last) == (spec.start, spec.end)

    # Day-n retention over signup cohorts, computed here from the files: it decays, D1 > D7 > D30.
    rates = dict(
        conn.execute(
            f"""
        with days as (select distinct user_id, event_time::date as d from events where event_name <> 'push_sent'),
             cohort as (select user_id, signup_time::date as c from users)
        select n, count(distinct days.user_id) / (select count(*) from cohort where c + n <= date '{spec.end}')
        from cohort join days using (user_id), (values (1), (7), (30)) as t(n)
        where days.d = cohort.c + n and cohort.c + n <= date '{spec.end}' group by n
        """
        ).fetchall()
    )
    assert 0.25 < rates[1] < 0.60 and rates[1] > rates[7] > rates[30] > 0.05

    # Referral users retain better than paid-social users on day 7.
    by_channel = dict(
        conn.execute(
            f"""
        with days as (select distinct user_id, event_time::date as d from events where event_name <> 'push_sent')
        select acquisition_channel, avg(case when exists (select 1 from days where days.user_id = users.user_id
               and days.d = users.signup_time::date + 7) then 1 else 0 end)
        from users where signup_time::date + 7 <= date '{spec.end}' group by 1
        """
        ).fetchall()
    )
    assert by_channel["referral"] > by_channel["paid_social"]
    creators = conn.execute("select count(distinct user_id) from events where event_name = 'post_content'").fetchone()[
        0
    ]
    assert 0.02 * spec.users < creators < 0.15 * spec.users


def test_default_scale_is_fast(tmp_path):
    import time

    began = time.monotonic()
    counts = write_landing(SampleSpec(), tmp_path)
    assert time.monotonic() - began < 30
    assert counts["users"] == 5000 and counts["events"] > 100_000


def test_generating_in_chunks_keeps_every_id_unique_and_every_user(tmp_path):
    """The benchmark tiers generate users in chunks appended to the day files; ids must not repeat across chunks."""
    spec = SampleSpec(users=450, days=30, seed=5, start=SMALL.start)
    counts = write_landing(spec, tmp_path, users_per_chunk=100)  # five chunks, the last one short
    conn = duckdb.connect()
    events = f"read_parquet('{tmp_path}/events/*.parquet')"
    rows, ids, users = conn.execute(
        f"select count(*), count(distinct event_id), count(distinct user_id) from {events}"
    ).fetchone()
    assert rows == ids == counts["events"]
    assert users == 450  # every user signs up, so every user has events
    orders = f"read_csv('{tmp_path}/orders/orders.csv')"
    assert conn.execute(f"select count(*) = count(distinct order_id) from {orders}").fetchone()[0]
    # One checkout attempt = one checkout_id: the first step occurs once per id.
    started, attempts = conn.execute(
        f"select count(*), count(distinct properties) from {events} where event_name = 'checkout_started'"
    ).fetchone()
    assert started == attempts > 0
    # Every event of a day lands in that day's file.
    assert not conn.execute(
        f"select count(*) from read_parquet('{tmp_path}/events/*.parquet', filename = true) "
        "where filename not like '%events_' || strftime(event_time, '%Y-%m-%d') || '.parquet'"
    ).fetchone()[0]


def test_tiers_are_a_year_that_ends_in_the_past():
    from datetime import date as _date

    from retention_warehouse.sample_data import TIERS

    assert [TIERS[t].users for t in "SML"] == [10_000, 100_000, 1_000_000]
    assert all(spec.days == 365 and spec.end < _date.today() for spec in TIERS.values())
