-- One row per user and reporting day on which the user did at least one active event.
with

events as (

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
    where is_active_event
    group by 1, 2

)

select * from final
