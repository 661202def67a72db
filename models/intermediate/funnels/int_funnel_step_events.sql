-- Every occurrence of a funnel step (step_number >= 1) or of an exclusion event (step_number = 0), one row per
-- funnel, user, held value and timestamp. Steps are raw events (optionally filtered on a field) or milestones
-- of int_users_milestones; both come from var funnels (dbt_project.yml, docs/funnels.md).
-- held_value is the field held constant across the funnel's steps ('' when the funnel holds nothing constant);
-- milestones and exclusion events carry no held value.
-- One scan of the events, joined to a literal table of (funnel, step, event name) rows (macro funnel_triggers_sql),
-- and one scan of the milestones likewise: no scan per step. Duplicates are removed on the funnel's number (an
-- integer, cheaper to group on than its name), which is turned back into the name at the end.
{%- set event_names = [] %}
{%- set hold_fields = [] %}
{%- set where_fields = [] %}
{%- for funnel in var('funnels') %}
    {%- if funnel.get('hold_constant') and funnel['hold_constant'] not in hold_fields %}
        {%- do hold_fields.append(funnel['hold_constant']) %}
    {%- endif %}
    {%- for step in funnel['steps'] %}
        {%- for name in step.get('events') or [] %}
            {%- if name not in event_names %}{% do event_names.append(name) %}{% endif %}
        {%- endfor %}
        {%- if step.get('events') and step.get('where') and step['where']['field'] not in where_fields %}
            {%- do where_fields.append(step['where']['field']) %}
        {%- endif %}
    {%- endfor %}
    {%- for name in funnel.get('exclusions') or [] %}
        {%- if name not in event_names %}{% do event_names.append(name) %}{% endif %}
    {%- endfor %}
{%- endfor %}
with

events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__events') }}

),

milestones as {{ not_materialized() }} (

    select * from {{ ref('int_users_milestones') }}

),

event_triggers as (
    {{ funnel_triggers_sql('events') }}
),

milestone_triggers as (
    {{ funnel_triggers_sql('milestones') }}
),

event_occurrences as (

    select
        event_triggers.funnel_number,
        event_triggers.step_number,
        events.user_key,
        case
            when event_triggers.hold_field = '' then ''
            {%- for field in hold_fields %}
                when event_triggers.hold_field = {{ sql_string(field) }} then {{ funnel_field(field) }}
            {%- endfor %}
        end as held_value,
        events.event_at as occurred_at

    from events
    inner join event_triggers
        on events.event_name = event_triggers.trigger_name
    where {{ in_list('events.event_name', event_names) }}
        and (
            event_triggers.where_field is null
            {%- for field in where_fields %}
            or (event_triggers.where_field = {{ sql_string(field) }}
                and {{ funnel_field(field) }} = event_triggers.where_equals)
            {%- endfor %}
        )

),

milestone_occurrences as (

    select
        milestone_triggers.funnel_number,
        milestone_triggers.step_number,
        milestones.user_key,
        case when milestone_triggers.hold_field = '' then '' end as held_value,
        milestones.milestone_at as occurred_at

    from milestones
    inner join milestone_triggers
        on milestones.milestone_name = milestone_triggers.trigger_name

),

occurrences as (

    select * from event_occurrences
    union all
    select * from milestone_occurrences

),

distinct_occurrences as (

    select distinct
        funnel_number,
        step_number,
        user_key,
        held_value,
        occurred_at

    from occurrences
    where funnel_number is not null
        and occurred_at is not null
        -- a held-constant funnel ignores step events that lack the field
        and (step_number = 0 or held_value is not null)

),

final as (

    select
        cast(
            case funnel_number
                {%- for funnel in var('funnels') %}
                    when {{ loop.index }} then {{ sql_string(funnel['name']) }}
                {%- endfor %}
            end as {{ dbt.type_string() }}
        ) as funnel_name,
        cast(step_number as integer) as step_number,
        user_key,
        held_value,
        occurred_at

    from distinct_occurrences

)

select * from final
