-- One row per retention definition x user x reporting day on which the user did a start or a return event of
-- that definition (var retention_definitions). The events are scanned once: one aggregate per user and day
-- carries a start and a return flag per definition, then a cross join with the definitions makes it long.
-- A definition that starts at `signup` has no start days here: its cohorts come from int_users_resolved.
{%- set definitions = var('retention_definitions') %}
with

events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__events') }}

),

user_days as (

    select
        user_key,
        event_date as activity_date,
    {%- for definition in definitions %}
        max(case when {{ retention_event_condition(definition.start_events) }} then 1 else 0 end)
            as start_flag_{{ loop.index }},
        max(case when {{ retention_event_condition(definition.return_events) }} then 1 else 0 end)
            as return_flag_{{ loop.index }}{{ ',' if not loop.last }}  -- noqa: LT02
    
{%- endfor %}

    from events
    where is_active_event
    group by 1, 2

),

definitions as (

    {%- for definition in definitions %}
        select
            cast('{{ definition.name }}' as {{ dbt.type_string() }}) as retention_definition,
            {{ loop.index }} as definition_number
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

flagged as (

    select
        definitions.retention_definition,
        user_days.user_key,
        user_days.activity_date,
        case definitions.definition_number
            {%- for definition in definitions %}
                when {{ loop.index }} then user_days.start_flag_{{ loop.index }}
            {%- endfor %}
        end = 1 as is_start_day,
        case definitions.definition_number
            {%- for definition in definitions %}
                when {{ loop.index }} then user_days.return_flag_{{ loop.index }}
            {%- endfor %}
        end = 1 as is_return_day

    from user_days
    cross join definitions

),

final as (

    select * from flagged
    where is_start_day or is_return_day

)

select * from final
