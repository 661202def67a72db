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

members_measured as (

    select
        period_members.*,
        coalesce(revenue.revenue, 0) as revenue,
        next_active.user_key is not null as is_retained

    from period_members  -- noqa: AL04
    left join (
        select
            period_members.grain,
            period_members.period_end,
            period_members.user_key,
            sum(orders.amount) as revenue

        from period_members
        inner join orders
            on period_members.user_key = orders.user_key
                and orders.is_paid
                and orders.order_date between period_members.period_start and period_members.period_end
        group by 1, 2, 3
    ) as revenue
        on period_members.grain = revenue.grain
            and period_members.period_end = revenue.period_end
            and period_members.user_key = revenue.user_key
    left join (
        select distinct
            period_members.grain,
            period_members.period_end,
            period_members.user_key

        from period_members
        inner join activity_days
            on period_members.user_key = activity_days.user_key
                and activity_days.activity_date > period_members.period_end
                and activity_days.activity_date <= period_members.next_period_end
    ) as next_active
        on period_members.grain = next_active.grain
            and period_members.period_end = next_active.period_end
            and period_members.user_key = next_active.user_key

),

unpivoted as (

    {%- for dimension in var('segment_dimensions') %}
        select
            grain,
            period_start,
            period_end,
            next_period_end,
            '{{ dimension }}' as segment_dimension,
            cast({{ dimension }} as {{ dbt.type_string() }}) as segment_value,
            revenue,
            is_retained

        from members_measured
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
        count(*) as users,
        sum(revenue) as revenue,
        sum(case when is_retained then 1 else 0 end) as retained_users

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
