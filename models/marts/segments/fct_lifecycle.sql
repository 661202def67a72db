-- Lifecycle counts per period grain (day, ISO week, month), as product-analytics tools (PostHog) define them:
--   new           active in the period for the first time ever;
--   returning     active in the period and in the previous one;
--   resurrecting  active in the period, not in the previous one, but in some earlier one;
--   dormant       active in the previous period, not in this one (a positive count; PostHog plots it negative).
-- Identities (data tests): new + returning + resurrecting = active_users; dormant = previous period's
-- active_users - returning. Every period from the first activity to the as-of date has a row, even if empty.
with

activity_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_days') }}

),

calendar as {{ not_materialized() }} (

    select * from {{ ref('int_segment_calendar_days') }}

),

{%- for grain in grains_for('lifecycle') %}

    periods_{{ grain }} as (

        select distinct
            {{ period_start(grain, 'date_day') }} as period_start

        from calendar

    ),

    user_periods_{{ grain }} as (

        select distinct
            activity_days.user_key,
            {{ period_start(grain, 'activity_days.activity_date') }} as period_start

        from activity_days
        inner join calendar
            on activity_days.activity_date = calendar.date_day

    ),

    user_period_links_{{ grain }} as (

        select
            user_key,
            period_start,
            lag(period_start) over (partition by user_key order by period_start) as previous_active_period,
            lead(period_start) over (partition by user_key order by period_start) as next_active_period,
            cast({{ dbt.dateadd(grain, -1, 'period_start') }} as date) as previous_period,
            cast({{ dbt.dateadd(grain, 1, 'period_start') }} as date) as next_period

        from user_periods_{{ grain }}

    ),

    active_counts_{{ grain }} as (

        select
            period_start,
            count(*) as active_users,
            sum(case when previous_active_period is null then 1 else 0 end) as new_users,
            sum(case when previous_active_period = previous_period then 1 else 0 end) as returning_users,
            sum(case when previous_active_period < previous_period then 1 else 0 end) as resurrecting_users

        from user_period_links_{{ grain }}
        group by 1

    ),

    dormant_counts_{{ grain }} as (

        select
            next_period as period_start,
            count(*) as dormant_users

        from user_period_links_{{ grain }}
        where next_active_period is null or next_active_period > next_period
        group by 1

    ),

    lifecycle_{{ grain }} as (

        select
            '{{ grain }}' as grain,
            periods.period_start,
            coalesce(active_counts.active_users, 0) as active_users,
            coalesce(active_counts.new_users, 0) as new_users,
            coalesce(active_counts.returning_users, 0) as returning_users,
            coalesce(active_counts.resurrecting_users, 0) as resurrecting_users,
            coalesce(dormant_counts.dormant_users, 0) as dormant_users,
            cast({{ dbt.dateadd('day', -1, dbt.dateadd(grain, 1, 'periods.period_start')) }} as date) as period_end

        from periods_{{ grain }} as periods
        left join active_counts_{{ grain }} as active_counts
            on periods.period_start = active_counts.period_start
        left join dormant_counts_{{ grain }} as dormant_counts
            on periods.period_start = dormant_counts.period_start

    ),
{%- endfor %}

as_of as (

    select max(as_of_date) as as_of_date from calendar

),

unioned as (

    {%- for grain in grains_for('lifecycle') %}
        select * from lifecycle_{{ grain }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

final as (

    select
        cast(unioned.grain as {{ dbt.type_string() }}) as grain,
        cast(unioned.period_start as date) as period_start,
        cast(unioned.period_end as date) as period_end,
        cast(unioned.period_end <= as_of.as_of_date as boolean) as is_complete,
        cast(unioned.active_users as bigint) as active_users,
        cast(unioned.new_users as bigint) as new_users,
        cast(unioned.returning_users as bigint) as returning_users,
        cast(unioned.resurrecting_users as bigint) as resurrecting_users,
        cast(unioned.dormant_users as bigint) as dormant_users

    from unioned
    cross join as_of

)

select * from final
