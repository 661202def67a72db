{#- Grouping sets for the `all` row and one row per breakdown (columns breakdown_1 .. breakdown_n), and the
    breakdown_name / breakdown_value pair they give. One aggregation instead of one copy of the rows per breakdown. -#}
{% macro breakdown_grouping_sets(keys, breakdowns) -%}
    grouping sets (
        ({{ keys }})
        {%- for breakdown in breakdowns %},
        ({{ keys }}, breakdown_{{ loop.index }})
        {%- endfor %}
    )
{%- endmacro %}

{% macro breakdown_name_value(breakdowns) -%}
    cast(
        {%- if breakdowns %}
        case
            {%- for breakdown in breakdowns %}
            when grouping(breakdown_{{ loop.index }}) = 0 then '{{ breakdown }}'
            {%- endfor %}
            else 'all'
        end
        {%- else %} 'all'
        {%- endif %} as {{ dbt.type_string() }}
    ) as breakdown_name,
    cast(
        coalesce({% for breakdown in breakdowns %}breakdown_{{ loop.index }}, {% endfor %}'all')
        as {{ dbt.type_string() }}
    ) as breakdown_value
{%- endmacro %}
