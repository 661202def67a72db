-- How much of the data each configured definition matches: one row per funnel step, per held property of a
-- funnel and per event spec of a retention definition, with the events it waits for and how many it found.
-- A definition written for other event names matches nothing; the refresh's non-blocking check
-- `definitions_match_events` reads this table and warns, naming the definition and what it waited for.
with

event_names as {{ not_materialized() }} (

    select * from {{ ref('int_event_names') }}

),

events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__events') }}

),

milestones as {{ not_materialized() }} (

    select * from {{ ref('int_users_milestones') }}

),

users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

parts as (
    {%- for funnel in var('funnels') %}
        {%- set hold = funnel.get('hold_constant') %}
        {%- for step in funnel['steps'] %}

            select
                'funnel' as definition_kind,
                '{{ funnel["name"] }}' as definition_name,
                {{ loop.index }} as part_number,
                '{{ step["name"] }}' as part,
                {{ sql_string(step_waits_for(step)) }} as waits_for,
                (
                    {%- if step.get('events') and step.get('where') %}
                        select count(*) from events
                        where {{ in_list('events.event_name', step['events']) }}
                            and {{ funnel_field(step['where']['field']) }} = '{{ step["where"]["equals"] }}'
                    {%- elif step.get('events') %}
                        select coalesce(sum(events), 0) from event_names where {{ in_list('event_name', step['events']) }}
                    {%- else %}
                        select 0
                    {%- endif %}
                ) + (
                    {%- if step.get('milestones') %}
                        select count(*) from milestones where {{ in_list('milestone_name', step['milestones']) }}
                    {%- else %}
                        select 0
                    {%- endif %}
                ) as matched_events,
                cast(null as double) as coverage

            union all
        {%- endfor %}
        {%- set step_events = funnel['steps'] | selectattr('events', 'defined') | map(attribute='events') | sum(start=[]) %}
        {%- if hold and step_events %}

            select
                'funnel' as definition_kind,
                '{{ funnel["name"] }}' as definition_name,
                0 as part_number,
                'held constant: {{ hold }}' as part,
                {{ sql_string('the step events (' ~ step_events | unique | join(', ') ~ ') carrying ' ~ hold) }} as waits_for,
                count(*) as matched_events,
                avg(case when {{ funnel_field(hold) }} is not null then 1.0 else 0.0 end) as coverage
            from events
            where {{ in_list('events.event_name', step_events | unique | list) }}

            union all
        {%- endif %}
    {%- endfor %}
    {%- for definition in var('retention_definitions') %}
        {%- for role in ['start', 'return'] %}
            {%- set spec = definition[role ~ '_events'] %}

            select
                'retention_definition' as definition_kind,
                '{{ definition["name"] }}' as definition_name,
                {{ loop.index }} as part_number,
                '{{ role }}_events' as part,
                {{ sql_string(event_spec_waits_for(spec)) }} as waits_for,
                (
                    {%- if spec == 'signup' %}
                        select count(*) from users where signup_at is not null
                    {%- else %}
                        select coalesce(sum(events), 0) from event_names where {{ retention_event_condition(spec) }}
                    {%- endif %}
                ) as matched_events,
                cast(null as double) as coverage

            union all
        {%- endfor %}
    {%- endfor %}

    -- closes the chain of union all above
    select
        null as definition_kind,
        null as definition_name,
        null as part_number,
        null as part,
        null as waits_for,
        null as matched_events,
        null as coverage
    where 1 = 0

),

final as (

    select
        cast(definition_kind as {{ dbt.type_string() }}) as definition_kind,
        cast(definition_name as {{ dbt.type_string() }}) as definition_name,
        cast(part_number as integer) as part_number,
        cast(part as {{ dbt.type_string() }}) as part,
        cast(waits_for as {{ dbt.type_string() }}) as waits_for,
        cast(matched_events as bigint) as matched_events,
        cast(coverage as double) as coverage,
        cast(coalesce(coverage = 0, matched_events = 0) as boolean) as matches_nothing

    from parts

)

select * from final
