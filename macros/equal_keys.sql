{#- The join condition `left.c = right.c and ...` over `columns`: one list of a grain's key columns, written once,
    for every join on them. -#}
{% macro equal_keys(left, right, columns) -%}
    {%- for column in columns %}{{ left }}.{{ column }} = {{ right }}.{{ column }}{% if not loop.last %}
        and {% endif %}{% endfor %}
{%- endmacro %}
