{#- SQL lists of string literals from Jinja lists of names (event names, milestones...). -#}

{#- A text as one SQL string literal, its single quotes doubled: `'it''s'`. -#}
{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#- The names as comma-separated string literals, `'a', 'b'` (nothing for an empty list). -#}
{% macro sql_string_list(values) -%}
    {%- for value in values -%}{{ sql_string(value) }}{% if not loop.last %}, {% endif %}{%- endfor -%}
{%- endmacro %}

{#- `column in ('a', 'b')` for a list of names; false for an empty list (no name matches). -#}
{% macro in_list(column, names) -%}
    {%- if names | length == 0 -%}
        false
    {%- else -%}
        {{ column }} in ({{ sql_string_list(names) }})
    {%- endif -%}
{%- endmacro %}
