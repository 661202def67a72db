-- Every reporting day from the first activity day to the segments' as-of date, flagged as week end (Sunday,
-- ISO weeks), month end and as-of date. Snapshot dates (week ends, month ends, the as-of date) bound the size of
-- the per-user segment snapshots; latest_snapshot_date lets daily models pick the snapshot in force.
with

activity_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_days') }}

),

as_of as {{ not_materialized() }} (

    select * from {{ ref('int_as_of_date') }}

),

bounds as (

    select
        (select min(activity_date) from activity_days) as first_date,
        as_of.as_of_date

    from as_of

),

days as (

    {{ day_series('first_date', 'as_of_date', 'bounds') }}

),

flagged as (

    select
        days.date_day,
        bounds.as_of_date,
        cast({{ dbt.dateadd('day', 6, dbt.date_trunc('week', 'days.date_day')) }} as date) = days.date_day
            as is_week_end,
        cast({{ dbt.last_day('days.date_day', 'month') }} as date) = days.date_day as is_month_end,
        days.date_day = bounds.as_of_date as is_as_of_date

    from days
    cross join bounds

),

final as (

    select
        date_day,
        as_of_date,
        is_week_end,
        is_month_end,
        is_as_of_date,
        is_week_end or is_month_end or is_as_of_date as is_snapshot_date,
        max(case when is_week_end or is_month_end or is_as_of_date then date_day end)
            over (order by date_day rows between unbounded preceding and current row) as latest_snapshot_date

    from flagged

)

select * from final
