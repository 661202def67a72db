-- One row per user and reporting day on which the user did at least one active event.
-- Incremental (docs/incremental.md): a refresh rebuilds every user-day that an active event loaded since the last
-- build touches, from all of that user-day's events, however late they arrived; loaded_through, the newest load
-- of the row's events, is the model's high-water mark. `dbt build --full-refresh` (Dagster job full_refresh)
-- rebuilds every day. A change of columns fails the incremental run on purpose (on_schema_change='fail'): run
-- full_refresh once, so that no history is left with NULLs in a new column.
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

{%- if is_incremental() %}

-- The user-days that active events loaded since the last build touch.
touched_user_days as (

    select distinct
        user_key,
        event_date

    from events
    where
        is_active_event
        and {{ loaded_since_built('loaded_at', 'loaded_through') }}

),
{%- endif %}

final as (

    select
        events.user_key,
        events.event_date as activity_date,
        count(*) as active_events,
        sum(case when events.is_interaction then 1 else 0 end) as interactions,
        sum(case when events.is_creation then 1 else 0 end) as creations,
        max(events.loaded_at) as loaded_through

    from events
    {%- if is_incremental() %}
    inner join touched_user_days
        on
            events.user_key = touched_user_days.user_key
            and events.event_date = touched_user_days.event_date
    {%- endif %}
    where
        events.is_active_event
        and {{ restated_from(ref('stg_app__events'), 'event_date', 'loaded_at', 'loaded_through', 'events.event_date') }}
    group by 1, 2

)

select * from final
