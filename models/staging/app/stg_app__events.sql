-- Materialised incrementally (for 100M events, docs/benchmarks.md): pseudonymising 100M user and session ids is the costliest step of staging,
-- and seven models read these events. Raw loads only append, so a refresh appends the rows of loads newer than
-- the newest one here. Run the full_refresh job after changing RW_ID_SALT or the event sets.
-- Identity (docs/data_contract.md#identity): an anonymous or device id that an export links to a user id
-- (raw.identity_links) counts as that user. A link that changes the person of an anonymous id whose events are
-- already built makes the refresh a full one (retention_warehouse/export_formats.py), so appending stays exact.
{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}
with

source as {{ not_materialized() }} (

    select * from {{ source('app', 'events') }}

),

-- Orders-only data (docs/metric_definitions.md#conventions, docs/data_contract.md): when the events feed has no rows at all, each paid order
-- becomes one event named var order_event_name, so a pure purchase log still gets activity and retention.
-- With any events delivered, orders add nothing here (the event feed is expected to carry its own purchases).
-- Each order's latest delivery stands (a correction replaces it); an order already staged keeps its event: a
-- correction reaches the derived events with the next full_refresh.
orders as {{ not_materialized() }} (

    {{ current_rows(source('app', 'orders'), ['order_id']) }}

),

order_events as (

    select
        {{ dbt.concat(["'order:'", 'order_id']) }} as event_id,
        user_id,
        cast('{{ var("order_event_name") }}' as {{ dbt.type_string() }}) as event_name,
        order_at as event_at,
        cast(null as {{ dbt.type_string() }}) as platform,
        cast(null as {{ dbt.type_string() }}) as session_id,
        cast(null as {{ dbt.type_string() }}) as properties,
        _loaded_at,
        cast('orders' as {{ dbt.type_string() }}) as event_source

    from orders
    where
        status = 'paid'
        and not exists (select 1 from source)
        and {{ loaded_since_built('_loaded_at', 'loaded_at') }}
        and {{ not_staged_yet(dbt.concat(["'order:'", 'order_id']), 'event_id') }}

),

delivered_events as (

    select
        event_id,
        user_id,
        event_name,
        event_at,
        platform,
        session_id,
        properties,
        _loaded_at,
        cast('events' as {{ dbt.type_string() }}) as event_source

    from source
    where {{ loaded_since_built('_loaded_at', 'loaded_at') }}

),

-- The person of an anonymous id: the user of its earliest link (then the smallest user id), whatever the order
-- the links were delivered in.
identity_links as {{ not_materialized() }} (

    select * from {{ source('app', 'identity_links') }}

),

ranked_links as (

    select
        anonymous_id,
        user_id,
        row_number() over (partition by anonymous_id order by linked_at, user_id) as link_rank

    from identity_links

),

person_of_anonymous_id as (

    select
        anonymous_id,
        user_id

    from ranked_links
    where link_rank = 1

),

unioned as (

    select * from delivered_events
    union all
    select * from order_events

),

final as (

    select
        event_id,
        {{ pseudonymise('coalesce(person_of_anonymous_id.user_id, unioned.user_id)') }} as user_key,
        event_name,
        event_at,
        {{ to_reporting_date('event_at') }} as event_date,
        platform,
        -- Exports often build session ids from user ids, so the session id is pseudonymised like the user id.
        case when session_id is not null then {{ pseudonymise('session_id') }} end as session_id,
        properties,
        {{ in_event_set('event_name', 'passive_events', negate=true) }} as is_active_event,
        {{ in_event_set('event_name', 'interaction_events') }} as is_interaction,
        {{ in_event_set('event_name', 'creation_events') }} as is_creation,
        event_source,
        _loaded_at as loaded_at

    from unioned
    left join person_of_anonymous_id
        on unioned.user_id = person_of_anonymous_id.anonymous_id

)

select * from final
