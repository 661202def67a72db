{#- `event_name in (...)` (or `not in` with negate=true) for a named event set of dbt_project.yml vars
    (passive_events, interaction_events, creation_events...). An empty set is never matched. -#}
{% macro in_event_set(column, set_name, negate=false) -%}
    {%- set names = var(set_name) -%}
    {%- if names | length == 0 -%}
        {{ 'true' if negate else 'false' }}
    {%- else -%}
        {{ column }} {{ 'not in' if negate else 'in' }} ({% for name in names %}'{{ name }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}
