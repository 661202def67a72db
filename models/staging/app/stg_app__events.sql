with

source as (

    select * from {{ source('app', 'events') }}

),

final as (

    select
        event_id,
        {{ pseudonymise('user_id') }} as user_key,
        event_name,
        event_at,
        {{ to_reporting_date('event_at') }} as event_date,
        platform,
        session_id,
        properties,
        {{ in_event_set('event_name', 'passive_events', negate=true) }} as is_active_event,
        {{ in_event_set('event_name', 'interaction_events') }} as is_interaction,
        {{ in_event_set('event_name', 'creation_events') }} as is_creation,
        _loaded_at as loaded_at

    from source

)

select * from final
