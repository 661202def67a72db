{#- `event_name in (...)` for a named event set of dbt_project.yml vars (passive_events, interaction_events...). -#}
{% macro in_event_set(column, set_name) -%}
    {%- set names = var(set_name) -%}
    {%- if names | length == 0 -%}
        false
    {%- else -%}
        {{ column }} in ({% for name in names %}'{{ name }}'{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}
