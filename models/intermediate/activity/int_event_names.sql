-- Every event name of the staged events with its counts: what the data holds, for checking the definitions of
-- funnels and retention against it (fct_definition_coverage) and for suggesting event sets (make profile).
with

events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__events') }}

),

final as (

    select
        cast(event_name as {{ dbt.type_string() }}) as event_name,
        cast(is_active_event as boolean) as is_active_event,
        cast(count(*) as bigint) as events,
        cast(count(distinct user_key) as bigint) as users,
        cast(min(event_date) as date) as first_event_date,
        cast(max(event_date) as date) as last_event_date

    from events
    group by 1, 2

)

select * from final
