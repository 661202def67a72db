-- The calendar of metric periods: one row per grain (var grains.metrics) and period from the first signup to the
-- as-of date (int_as_of_date: var as_of_date, else the last activity day), with its last day, the last day observed so far
-- and whether it is complete.
with

spine as {{ not_materialized() }} (

    select * from {{ ref('metricflow_time_spine') }}

),

users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

as_of as {{ not_materialized() }} (

    select * from {{ ref('int_as_of_date') }}

),

bounds as (

    select
        (select min(signup_date) from users) as first_date,
        as_of.as_of_date

    from as_of

),

days as (

    select
        spine.date_day,
        bounds.as_of_date

    from spine
    cross join bounds
    where spine.date_day between bounds.first_date and bounds.as_of_date

),

periods as (

    {% for grain in grains_for('metrics') %}
        select distinct
            cast('{{ grain }}' as {{ dbt.type_string() }}) as grain,
            {{ period_start(grain, 'date_day') }} as period_start,
            {{ period_end(grain, period_start(grain, 'date_day')) }} as period_end,
            as_of_date

        from days
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        grain,
        period_start,
        period_end,
        as_of_date,
        -- Facts are counted up to here: a feed ahead of the events (orders of a day whose events are not yet in)
        -- waits for the next refresh rather than filling the current period alone.
        least(period_end, as_of_date) as observed_through,
        period_end <= as_of_date as is_complete

    from periods

)

select * from final
