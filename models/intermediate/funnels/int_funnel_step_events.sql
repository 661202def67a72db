-- Every occurrence of a funnel step (step_number >= 1) or of an exclusion event (step_number = 0), one row per
-- funnel, user, held value and timestamp. Steps are raw events (optionally filtered on a field) or milestones
-- of int_users_milestones; both come from var funnels (dbt_project.yml, docs/funnels.md).
-- held_value is the field held constant across the funnel's steps ('' when the funnel holds nothing constant);
-- milestones and exclusion events carry no held value.
with

events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__events') }}

),

milestones as {{ not_materialized() }} (

    select * from {{ ref('int_users_milestones') }}

),

occurrences as (
{%- for funnel in var('funnels') %}
        {%- set hold = funnel.get('hold_constant') %}
        {%- for step in funnel['steps'] %}
            {%- if step.get('events') %}

                select
                    '{{ funnel["name"] }}' as funnel_name,
                    {{ loop.index }} as step_number,
                    events.user_key,
                    {% if hold %}{{ funnel_field(hold) }}{% else %}''{% endif %} as held_value,
                    events.event_at as occurred_at
                from events
                where {{ in_list('events.event_name', step['events']) }}
                {%- if step.get('where') %}
        and {{ funnel_field(step['where']['field']) }} = '{{ step["where"]["equals"] }}'
        {%- endif %}

                union all
            {%- endif %}
    {%- if step.get('milestones') %}

                select
                    '{{ funnel["name"] }}' as funnel_name,
                    {{ loop.index }} as step_number,
                    milestones.user_key,
                    {% if hold %}cast(null as {{ dbt.type_string() }}){% else %}''{% endif %} as held_value,
                    milestones.milestone_at as occurred_at
                from milestones
                where {{ in_list('milestones.milestone_name', step['milestones']) }}

                union all
            {%- endif %}
        {%- endfor %}
        {%- if funnel.get('exclusions') %}

    select
        '{{ funnel["name"] }}' as funnel_name,
        0 as step_number,
        events.user_key,
        cast(null as {{ dbt.type_string() }}) as held_value,
        events.event_at as occurred_at
    from events
    where {{ in_list('events.event_name', funnel['exclusions']) }}

    union all
    {%- endif %}
    {%- endfor %}

    -- closes the chain of union all above
    select
        cast(null as {{ dbt.type_string() }}) as funnel_name,
        0 as step_number,
        cast(null as {{ dbt.type_string() }}) as user_key,
        cast(null as {{ dbt.type_string() }}) as held_value,
        cast(null as timestamp) as occurred_at
    from events
    where 1 = 0

),

final as (

    select distinct
        cast(funnel_name as {{ dbt.type_string() }}) as funnel_name,
        cast(step_number as integer) as step_number,
        user_key,
        held_value,
        occurred_at

    from occurrences
    where funnel_name is not null
        and occurred_at is not null
        -- a held-constant funnel ignores step events that lack the field
        and (step_number = 0 or held_value is not null)

)

select * from final
