-- Early-warning list of at-risk (marginal) users, one row per day and at-risk user, with the reason (see int_users_at_risk_days),
-- the user's value tier on that day (paid spend in the trailing segment_spend_window_days) and the RFM segment of
-- the latest segment snapshot on or before that day (week end, month end or as-of date; var as_of_date).
{%- set spend_window = var('segment_spend_window_days') %}
with

at_risk_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_at_risk_days') }}

),

calendar as {{ not_materialized() }} (

    select * from {{ ref('int_segment_calendar_days') }}

),

snapshots as {{ not_materialized() }} (

    select * from {{ ref('int_users_segment_snapshots') }}

),

orders as {{ not_materialized() }} (

    select * from {{ ref('stg_app__orders') }}

),

spend as (

    select
        at_risk_days.user_key,
        at_risk_days.at_risk_date,
        sum(orders.amount) as trailing_spend

    from at_risk_days
    inner join orders
        on at_risk_days.user_key = orders.user_key
            and orders.is_paid
            and orders.order_date <= at_risk_days.at_risk_date
            and orders.order_date > cast({{ dbt.dateadd('day', -spend_window, 'at_risk_days.at_risk_date') }} as date)
    group by 1, 2

),

final as (

    select
        cast(at_risk_days.at_risk_date as date) as at_risk_date,
        cast(at_risk_days.user_key as {{ dbt.type_string() }}) as user_key,
        cast(at_risk_days.at_risk_reason as {{ dbt.type_string() }}) as at_risk_reason,
        cast(at_risk_days.is_no_activity_after_regular as boolean) as is_no_activity_after_regular,
        cast(at_risk_days.is_active_days_drop as boolean) as is_active_days_drop,
        cast(at_risk_days.is_interactions_drop as boolean) as is_interactions_drop,
        cast(at_risk_days.recent_active_days as integer) as recent_active_days,
        cast(at_risk_days.baseline_active_days as integer) as baseline_active_days,
        cast(at_risk_days.recent_interactions as bigint) as recent_interactions,
        cast(at_risk_days.baseline_interactions as bigint) as baseline_interactions,
        cast(coalesce(spend.trailing_spend, 0) as double) as trailing_365d_spend,
        cast(
            case
                when spend.trailing_spend > {{ var('value_high_spend_threshold') }} then 'high'
                when spend.trailing_spend > 0 then 'standard'
                else 'no_spend'
            end as {{ dbt.type_string() }}
        ) as value_tier,
        cast(snapshots.rfm_segment as {{ dbt.type_string() }}) as rfm_segment,
        cast(calendar.latest_snapshot_date as date) as rfm_segment_as_of_date

    from at_risk_days
    inner join calendar
        on at_risk_days.at_risk_date = calendar.date_day
    left join spend
        on at_risk_days.user_key = spend.user_key
            and at_risk_days.at_risk_date = spend.at_risk_date
    left join snapshots
        on at_risk_days.user_key = snapshots.user_key
            and calendar.latest_snapshot_date = snapshots.as_of_date

)

select * from final
