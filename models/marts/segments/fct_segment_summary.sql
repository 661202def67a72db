-- Segment sizes, revenue and next-period retention, one row per period grain (week, month) x period x segment
-- dimension x segment value. Segments are as of the period's last day (week end / month end snapshot); revenue
-- is the segment's paid orders inside the period; retention = share of the segment active in the next period,
-- NULL (and is_mature false) until the next period has fully elapsed by the as-of date.
with

snapshots as {{ not_materialized() }} (

    select * from {{ ref('int_users_segment_snapshots') }}

),

activity_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_days') }}

),

orders as {{ not_materialized() }} (

    select * from {{ ref('stg_app__orders') }}

),

calendar as {{ not_materialized() }} (

    select * from {{ ref('int_segment_calendar_days') }}

),

as_of as (

    select max(as_of_date) as as_of_date from calendar

),

period_members as (

    {%- for grain in grains_for('segment_history') %}
        select
            '{{ grain }}' as grain,
            {{ period_start(grain, 'snapshot_date_sub.as_of_date') }} as period_start,
            snapshot_date_sub.as_of_date as period_end,
            cast({{ dbt.last_day(dbt.dateadd('day', 1, 'snapshot_date_sub.as_of_date'), grain) }} as date)
                as next_period_end,
            snapshot_date_sub.*

        from snapshots as snapshot_date_sub
        where snapshot_date_sub.{{ 'is_week_end' if grain == 'week' else 'is_month_end' }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- A paid order counts in the period that contains it, an activity day retains the members of the period before
-- the one that contains it: both found by an equi-join on the period end (for 100M events), not a range join.
period_revenue as (

    {%- for grain in grains_for('segment_history') %}
        select
            '{{ grain }}' as grain,
            {{ period_end(grain, period_start(grain, 'order_date')) }} as period_end,
            user_key,
            sum(amount) as revenue

        from orders
        where is_paid
        group by 1, 2, 3
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

active_periods as (

    {%- for grain in grains_for('segment_history') %}
        select distinct
            '{{ grain }}' as grain,
            {{ period_end(grain, period_start(grain, 'activity_date')) }} as period_end,
            user_key

        from activity_days
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

members_measured as (

    select
        period_members.*,
        coalesce(period_revenue.revenue, 0) as revenue,
        active_periods.user_key is not null as is_retained

    from period_members  -- noqa: AL04
    left join period_revenue
        on period_members.grain = period_revenue.grain
            and period_members.period_end = period_revenue.period_end
            and period_members.user_key = period_revenue.user_key
    left join active_periods
        on period_members.grain = active_periods.grain
            and period_members.next_period_end = active_periods.period_end
            and period_members.user_key = active_periods.user_key

),

-- Members with the same values of every dimension are counted together first, so the unpivot below copies one
-- row per combination of values instead of one per member.
combinations as (

    select
        grain,
        period_start,
        period_end,
        next_period_end,
        {%- for dimension in var('segment_dimensions') %}
            cast({{ dimension }} as {{ dbt.type_string() }}) as {{ dimension }},
        {%- endfor %}
        count(*) as users,
        sum(revenue) as revenue,
        sum(case when is_retained then 1 else 0 end) as retained_users

    from members_measured
    group by {{ range(1, 5 + var('segment_dimensions') | length) | join(', ') }}

),

unpivoted as (

    {%- for dimension in var('segment_dimensions') %}
        select
            grain,
            period_start,
            period_end,
            next_period_end,
            '{{ dimension }}' as segment_dimension,
            {{ dimension }} as segment_value,
            users,
            revenue,
            retained_users

        from combinations
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

segments as (

    select
        grain,
        period_start,
        period_end,
        next_period_end,
        segment_dimension,
        segment_value,
        cast(sum(users) as bigint) as users,
        sum(revenue) as revenue,
        sum(retained_users) as retained_users

    from unpivoted
    group by 1, 2, 3, 4, 5, 6

),

totals as (

    select
        grain,
        period_end,
        segment_dimension,
        sum(users) as total_users

    from segments
    group by 1, 2, 3

),

final as (

    select
        cast(segments.grain as {{ dbt.type_string() }}) as grain,
        cast(segments.period_start as date) as period_start,
        cast(segments.period_end as date) as period_end,
        cast(segments.segment_dimension as {{ dbt.type_string() }}) as segment_dimension,
        cast(segments.segment_value as {{ dbt.type_string() }}) as segment_value,
        cast(segments.users as bigint) as users,
        cast(totals.total_users as bigint) as total_users,
        cast(segments.users * 1.0 / totals.total_users as double) as user_share,
        cast({{ wilson_ci_low('segments.users', 'totals.total_users') }} as double) as user_share_ci_low,
        cast({{ wilson_ci_high('segments.users', 'totals.total_users') }} as double) as user_share_ci_high,
        cast(segments.revenue as double) as revenue,
        cast(segments.next_period_end <= as_of.as_of_date as boolean) as is_mature,
        cast(case when segments.next_period_end <= as_of.as_of_date then segments.retained_users end as bigint)
            as retained_users,
        cast(
            case when segments.next_period_end <= as_of.as_of_date then segments.retained_users * 1.0 / segments.users end
            as double
        ) as retention_rate,
        cast(
            case
                when segments.next_period_end <= as_of.as_of_date
                    then {{ wilson_ci_low('segments.retained_users', 'segments.users') }}
            end as double
        ) as retention_rate_ci_low,
        cast(
            case
                when segments.next_period_end <= as_of.as_of_date
                    then {{ wilson_ci_high('segments.retained_users', 'segments.users') }}
            end as double
        ) as retention_rate_ci_high

    from segments
    inner join totals
        on segments.grain = totals.grain
            and segments.period_end = totals.period_end
            and segments.segment_dimension = totals.segment_dimension
    cross join as_of

)

select * from final
