"""Segments on the generated sample, cross-checked against counts made straight from the landing files.

The expected figures below are computed from the raw files with plain SQL written from
docs/metric_definitions.md (sections
activity states and recall, and segments; not from the dbt models): activity states and engagement tiers at the
as-of date, the weekly lifecycle and the weekly recall.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from retention_warehouse.settings import REPO_ROOT

REFERENCE_TIER_SHARES = {"base": 0.45, "active": 0.28, "koc": 0.12, "kol": 0.05}


@pytest.fixture(scope="module")
def dbt_vars() -> dict:
    return yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


def _in_list(names: list[str]) -> str:
    return "(" + ", ".join(f"'{name}'" for name in names) + ")"


def _landing_days(conn: duckdb.DuckDBPyConnection, landing: Path, dbt_vars: dict) -> None:
    """Temp tables: one row per user and UTC day with activity, and the users' signup days."""
    conn.execute(
        f"""
        create temp table days as
        select user_id, cast(event_time at time zone 'UTC' as date) as d,
               count(*) filter (where event_name in {_in_list(dbt_vars["interaction_events"])}) as interactions,
               count(*) filter (where event_name in {_in_list(dbt_vars["creation_events"])}) as creations
        from read_parquet('{landing}/events/*.parquet')
        where event_name not in {_in_list(dbt_vars["passive_events"])}
        group by 1, 2
        """
    )
    conn.execute(
        f"""
        create temp table users as
        select user_id, cast(cast(signup_time as timestamp) as date) as signup
        from read_csv('{landing}/users/users.csv')
        """
    )


def test_activity_states_and_engagement_tiers_match_the_landing_files(sample_warehouse, dbt_vars):
    silent, churned = dbt_vars["activity_silent_after_days"], dbt_vars["activity_churned_after_days"]
    window, min_interactions = dbt_vars["engagement_window_days"], dbt_vars["engagement_active_min_interactions"]
    with duckdb.connect() as conn:
        _landing_days(conn, sample_warehouse["landing"], dbt_vars)
        expected_states = dict(
            conn.execute(
                f"""
                with as_of as (select max(d) as as_of from days),
                per_user as (
                    select users.user_id, as_of.as_of,
                           max(days.d) as last_day,
                           max(days.d) filter (where days.d < as_of.as_of) as day_before_today
                    from users cross join as_of left join days on days.user_id = users.user_id
                    where users.signup <= as_of.as_of
                    group by 1, 2
                )
                select case
                         when last_day = as_of and as_of - day_before_today > {silent} then 'resurrected'
                         when as_of - last_day < {silent} then 'active'
                         when as_of - last_day < {churned} then 'silent'
                         else 'churned' end as state,
                       count(*)
                from per_user group by 1
                """
            ).fetchall()
        )
        creators, active_tier, users = conn.execute(
            f"""
            with as_of as (select max(d) as as_of from days),
            window_sums as (
                select users.user_id,
                       coalesce(sum(days.interactions), 0) as interactions,
                       coalesce(sum(days.creations), 0) as creations
                from users cross join as_of
                left join days on days.user_id = users.user_id and days.d > as_of.as_of - {window}
                                  and days.d <= as_of.as_of
                where users.signup <= as_of.as_of
                group by 1
            )
            select count(*) filter (where creations >= {dbt_vars["engagement_koc_min_creations"]}),
                   count(*) filter (where creations < {dbt_vars["engagement_koc_min_creations"]}
                                      and interactions >= {min_interactions}),
                   count(*)
            from window_sums
            """
        ).fetchone()
    kol = -(-creators * dbt_vars["engagement_kol_creator_share"] // 1)  # ceiling
    expected_tiers = {"kol": int(kol), "koc": creators - int(kol), "active": active_tier}
    expected_tiers["base"] = users - creators - active_tier

    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        states = dict(
            conn.execute("select activity_state, count(*) from marts.dim_user_segments group by 1").fetchall()
        )
        tiers = dict(
            conn.execute("select engagement_tier, count(*) from marts.dim_user_segments group by 1").fetchall()
        )

    assert states == expected_states
    assert tiers == expected_tiers
    print("\nengagement tier shares on the test sample vs the reports' reference shares:")
    for tier, reference in REFERENCE_TIER_SHARES.items():
        print(f"  {tier:7s} {tiers.get(tier, 0) / users:6.1%}   reference {reference:.0%}")


def test_weekly_lifecycle_matches_the_landing_files(sample_warehouse, dbt_vars):
    with duckdb.connect() as conn:
        _landing_days(conn, sample_warehouse["landing"], dbt_vars)
        expected = conn.execute(
            """
            with weeks as (select distinct user_id, cast(date_trunc('week', d) as date) as w from days),
            firsts as (select user_id, min(w) as first_w from weeks group by 1),
            all_weeks as (select distinct w from weeks)
            select all_weeks.w,
                   (select count(*) from weeks where weeks.w = all_weeks.w) as active,
                   (select count(*) from firsts where first_w = all_weeks.w) as new,
                   (select count(*) from weeks cur join weeks prev on cur.user_id = prev.user_id
                      and prev.w = cur.w - interval 7 day where cur.w = all_weeks.w) as returning,
                   (select count(*) from weeks cur where cur.w = all_weeks.w and exists (select 1 from weeks
                      earlier where earlier.user_id = cur.user_id and earlier.w < cur.w - interval 7 day)
                      and not exists (select 1 from weeks prev where prev.user_id = cur.user_id
                                      and prev.w = cur.w - interval 7 day)) as resurrecting,
                   (select count(*) from weeks prev where prev.w = all_weeks.w - interval 7 day
                      and not exists (select 1 from weeks cur where cur.user_id = prev.user_id
                                      and cur.w = all_weeks.w)) as dormant
            from all_weeks order by 1
            """
        ).fetchall()
    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        actual = conn.execute(
            "select period_start, active_users, new_users, returning_users, resurrecting_users, dormant_users "
            "from marts.fct_lifecycle where grain = 'week' order by 1"
        ).fetchall()
    assert len(expected) >= 10
    assert actual == [tuple(row) for row in expected]


def test_weekly_recall_matches_the_landing_files(sample_warehouse, dbt_vars):
    silent, churned = dbt_vars["activity_silent_after_days"], dbt_vars["activity_churned_after_days"]
    with duckdb.connect() as conn:
        _landing_days(conn, sample_warehouse["landing"], dbt_vars)
        # Per week start s: each user's last activity day before s; lapsed when, on the day before s, it lies at
        # least `silent` days back (churned from `churned`); recalled when active again in [s, s + 6].
        expected = conn.execute(
            f"""
            with weeks as (select distinct cast(date_trunc('week', d) as date) as s from days),
            last_before as (
                select weeks.s, days.user_id, max(days.d) as last_day
                from weeks join days on days.d < weeks.s group by 1, 2
            ),
            lapsed as (
                select s, user_id, (s - 1) - last_day >= {churned} as is_churned,
                       exists (select 1 from days where days.user_id = last_before.user_id
                               and days.d between last_before.s and last_before.s + 6) as is_recalled
                from last_before where (s - 1) - last_day >= {silent}
            )
            select weeks.s,
                   count(lapsed.user_id) filter (where not lapsed.is_churned),
                   count(lapsed.user_id) filter (where lapsed.is_churned),
                   count(lapsed.user_id) filter (where lapsed.is_recalled)
            from weeks left join lapsed on lapsed.s = weeks.s
            group by 1 order by 1
            """
        ).fetchall()
    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        actual = conn.execute(
            "select period_start, silent_users_at_start, churned_users_at_start, recalled_users "
            "from marts.fct_recall where grain = 'week' order by 1"
        ).fetchall()
    assert sum(row[3] for row in expected) > 100
    assert actual == [tuple(row) for row in expected]


def test_states_and_tiers_take_their_specified_values_on_the_sample(sample_warehouse):
    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        history = conn.execute(
            "select count(distinct activity_state), count(distinct engagement_tier), count(distinct tenure_stage),"
            " count(distinct rfm_segment) from marts.fct_user_segment_history"
        ).fetchone()
        reasons = {
            row[0] for row in conn.execute("select distinct at_risk_reason from marts.fct_at_risk_users").fetchall()
        }
        recall = conn.execute(
            "select sum(lapsed_users_at_start), sum(recalled_users), avg(avg_active_spell_days) from marts.fct_recall"
            " where grain = 'week' and is_complete"
        ).fetchone()
    # active, silent, churned, resurrected; base, active, koc, kol; new, growth (the sample spans 75 days, so no
    # user reaches the mature stage of 181+ days); at least 8 named RFM segments plus no_purchase.
    assert history[:3] == (4, 4, 2)
    assert history[3] >= 9
    assert reasons == {"no_activity_after_regular", "active_days_drop", "interactions_drop"}
    assert recall[0] > recall[1] > 0
    assert recall[2] >= 7  # a spell lasts at least the silent threshold (7 days) by definition
