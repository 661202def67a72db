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
        {{ column }} {{ 'not in' if negate else 'in' }} ({% for name in names %}'{{ name }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}
