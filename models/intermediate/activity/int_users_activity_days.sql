-- One row per user and reporting day on which the user did at least one active event.
-- Incremental (docs/incremental.md): a refresh rebuilds only the days from var incremental_lookback_days before the newest
-- day already built; `dbt build --full-refresh` (Dagster job full_refresh) rebuilds every day. A change of
-- columns fails the incremental run on purpose (on_schema_change='fail'): run full_refresh once, so that no
-- history is left with NULLs in a new column.
{{
    config(
        materialized=incremental_materialization(),
        unique_key=['user_key', 'activity_date'],
        incremental_strategy=incremental_strategy_for_target(),
        on_schema_change='fail',
    )
}}
with

events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__events') }}

),

final as (

    select
        user_key,
        event_date as activity_date,
        count(*) as active_events,
        sum(case when is_interaction then 1 else 0 end) as interactions,
        sum(case when is_creation then 1 else 0 end) as creations

    from events
    where
        is_active_event
        and {{ incremental_lookback('event_date', 'activity_date', 'event_at') }}
    group by 1, 2

)

select * from final
