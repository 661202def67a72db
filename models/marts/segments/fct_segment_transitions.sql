-- Segment transition matrix: users moving from value A (at the previous period end) to value B (at this period
-- end) of a segment dimension, per period grain (week, month). Only users signed up by the previous period end.
with

snapshots as {{ not_materialized() }} (

    select * from {{ ref('int_users_segment_snapshots') }}

),

-- Each member's values at this period end and, by lag() over the user's period ends of the grain, at the previous
-- one (snapshots are unique per user and date, so the previous row is the previous period end's snapshot).
period_members as (

    {%- for grain in grains_for('segment_history') %}
        select
            '{{ grain }}' as grain,
            {%- for dimension in var('segment_dimensions') %}
                cast(snapshot_sub.{{ dimension }} as {{ dbt.type_string() }}) as to_{{ dimension }},
                cast(lag(snapshot_sub.{{ dimension }}) over users_periods as {{ dbt.type_string() }})
                    as from_{{ dimension }},
            {%- endfor %}
            snapshot_sub.as_of_date,
            lag(snapshot_sub.as_of_date) over users_periods as previous_period_end

        from snapshots as snapshot_sub
        where snapshot_sub.{{ 'is_week_end' if grain == 'week' else 'is_month_end' }}
        window users_periods as (partition by snapshot_sub.user_key order by snapshot_sub.as_of_date)
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

paired as (

    {%- for dimension in var('segment_dimensions') %}
        select
            grain,
            previous_period_end,
            as_of_date as period_end,
            '{{ dimension }}' as segment_dimension,
            from_{{ dimension }} as from_value,
            to_{{ dimension }} as to_value

        from period_members
        where previous_period_end is not null
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

transitions as (

    select
        grain,
        previous_period_end,
        period_end,
        segment_dimension,
        from_value,
        to_value,
        count(*) as users

    from paired
    group by 1, 2, 3, 4, 5, 6

),

rates as (

    select
        cast(grain as {{ dbt.type_string() }}) as grain,
        cast(previous_period_end as date) as previous_period_end,
        cast(period_end as date) as period_end,
        cast(segment_dimension as {{ dbt.type_string() }}) as segment_dimension,
        cast(from_value as {{ dbt.type_string() }}) as from_value,
        cast(to_value as {{ dbt.type_string() }}) as to_value,
        cast(users as bigint) as users,
        cast(sum(users) over (
            partition by grain, period_end, segment_dimension, from_value
        ) as bigint) as from_users,
        cast(users * 1.0 / sum(users) over (
            partition by grain, period_end, segment_dimension, from_value
        ) as double) as transition_rate

    from transitions

),

final as (

    select
        *,
        cast({{ wilson_ci_low('users', 'from_users') }} as double) as transition_rate_ci_low,
        cast({{ wilson_ci_high('users', 'from_users') }} as double) as transition_rate_ci_high

    from rates

)

select * from final
