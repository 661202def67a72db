"""The whole job on a generated sample: D1 retention from the published mart equals a count made from the files."""

from __future__ import annotations

import duckdb


def test_d1_retention_matches_a_count_from_the_landing_files(sample_warehouse):
    landing = sample_warehouse["landing"]
    with duckdb.connect() as conn:
        # Independent of the dbt models: straight from the files, UTC days, passive push_sent excluded.
        expected = conn.execute(
            f"""
            with users as (select user_id, cast(signup_time as timestamp)::date as cohort
                           from read_csv('{landing}/users/users.csv')),
                 days as (select distinct user_id, (event_time at time zone 'UTC')::date as d
                          from read_parquet('{landing}/events/*.parquet') where event_name <> 'push_sent'),
                 last_day as (select max(d) as as_of from days)
            select cohort, count(*) as size,
                   count(*) filter (where exists (select 1 from days where days.user_id = users.user_id
                                                  and days.d = users.cohort + 1)) as d1
            from users, last_day where cohort + 1 <= as_of group by 1 order by 1
            """
        ).fetchall()
    with duckdb.connect(str(sample_warehouse["published"]), read_only=True) as conn:
        actual = conn.execute(
            "select cohort_start, cohort_size, retained_users from marts.fct_cohort_retention "
            "where retention_definition = 'activity' and grain = 'day' and breakdown_name = 'all' "
            "and retention_type = 'n_period' and period_number = 1 and is_mature order by 1"
        ).fetchall()
    assert len(expected) > 60
    assert actual == expected
