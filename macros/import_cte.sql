{#- The hint on an import CTE (`events as {{ not_materialized() }} (select * from {{ ref(...) }})`). DuckDB 2.0
    materializes a CTE that is referenced more than once, in memory: an import CTE of the events table then holds
    every column of every matching row (int_funnel_step_events ran out of memory at 100M events).
    Inlined, each reference is a plain scan with its own filter and only the columns it reads. Spark inlines
    CTEs and has no such hint. -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'retention_warehouse')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__not_materialized() -%}
{%- endmacro %}
