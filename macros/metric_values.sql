{#- The value columns of one metric row of fct_metrics over all users: breakdown `all`, numerator, denominator,
    value and whether the metric is a rate (its interval is then Wilson's). -#}
{% macro metric_values(numerator, denominator, value, is_rate) -%}
    'all' as breakdown_name,
            'all' as breakdown_value,
            {{ numerator }} as numerator,
            {{ denominator }} as denominator,
            {{ value }} as value,
            {{ is_rate }} as is_rate
{%- endmacro %}
