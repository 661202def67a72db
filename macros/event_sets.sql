{#- `event_name in (...)` (or `not in` with negate=true) for a named event set of dbt_project.yml vars
    (passive_events, interaction_events, creation_events...). An empty set is never matched. -#}
{% macro in_event_set(column, set_name, negate=false) -%}
    {%- set names = var(set_name, none) -%}
    {%- if names is none and execute -%}
        {%- do exceptions.raise_compiler_error('var ' ~ set_name ~ ' is not defined; expected an event-set var (a list of event names)') -%}
    {%- endif -%}
    {%- set names = names or [] -%}
    {%- if names | length == 0 -%}
        {{ 'true' if negate else 'false' }}
    {%- else -%}
        {{ column }} {{ 'not in' if negate else 'in' }} ({{ sql_string_list(names) }})
    {%- endif -%}
{%- endmacro %}

{#- SQL condition on stg_app__events for an event spec of a retention definition: `signup` (never an event),
    `active` (every non-passive event), the name of an event-set var, or a list of event names.
    Passive events never count, whatever the spec. -#}
{% macro retention_event_condition(spec) -%}
    {%- if spec == 'signup' -%}
        false
    {%- elif spec == 'active' -%}
        is_active_event
    {%- elif spec is string -%}
        (is_active_event and {{ in_event_set('event_name', spec) }})
    {%- elif spec | length == 0 -%}
        false
    {%- else -%}
        (is_active_event and {{ in_list('event_name', spec) }})
    {%- endif -%}
{%- endmacro %}

{#- What an event spec of a retention definition waits for, in words (fct_definition_coverage). -#}
{% macro event_spec_waits_for(spec) -%}
    {%- if spec == 'signup' -%}
        {{ return("each user's signup (the users feed, else the first event)") }}
    {%- elif spec == 'active' -%}
        {{ return('every event not in passive_events') }}
    {%- elif spec is string -%}
        {{ return(spec ~ ': ' ~ (var(spec, []) | join(', '))) }}
    {%- else -%}
        {{ return('events: ' ~ (spec | join(', '))) }}
    {%- endif -%}
{%- endmacro %}

