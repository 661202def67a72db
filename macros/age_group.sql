{#- Generation from birth year, bands from var age_groups ([name, first year, last year]); else 'unknown'. -#}
{% macro age_group(birth_year_column) -%}
    case
    {%- for band in var('age_groups') %}
        when {{ birth_year_column }} between {{ band[1] }} and {{ band[2] }} then '{{ band[0] }}'
    {%- endfor %}
        else 'unknown'
    end
{%- endmacro %}
