{#- First day of the calendar period (day, week = ISO Monday start, month) that contains a date. -#}
{% macro period_start(grain, column) -%}
    cast({{ dbt.date_trunc(grain, column) }} as date)
{%- endmacro %}

{#- Last day of the calendar period that starts on period_start_column. -#}
{% macro period_end(grain, period_start_column) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd(grain, 1, period_start_column)) }} as date)
{%- endmacro %}

{#- NULL-safe ratio as double: NULL when the denominator is 0 or NULL. -#}
{% macro safe_ratio(numerator, denominator) -%}
    case when {{ denominator }} > 0 then cast({{ numerator }} as double) / {{ denominator }} end
{%- endmacro %}
