{#- Calendar periods: day, ISO week (Monday start) and month. Two variants of one family:
    period_start / period_end take a literal grain (a Jinja string, one SQL expression per grain), and
    period_start_by_grain_column / period_number_by_grain_column / period_end_by_grain_column take a grain column
    (a SQL expression holding 'day', 'week' or 'month', one case per row). grains_for reads the grains a mart
    family publishes (var grains). -#}

{#- The calendar grains a mart family publishes: the list of var grains under that key (metrics, funnels,
    segment_history, lifecycle, recall). -#}
{% macro grains_for(key) -%}
    {%- set grains = var('grains') -%}
    {%- if key not in grains and execute -%}
        {%- do exceptions.raise_compiler_error('var grains has no key ' ~ key ~ '; expected a list of grains under it') -%}
    {%- endif -%}
    {{- return(grains.get(key, [])) -}}
{%- endmacro %}

{#- First day of the calendar period (literal grain: day, week = ISO Monday start, month) that contains a date. -#}
{% macro period_start(grain, column) -%}
    cast({{ dbt.date_trunc(grain, column) }} as date)
{%- endmacro %}

{#- Last day of the calendar period (literal grain) that starts on period_start_column. -#}
{% macro period_end(grain, period_start_column) -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd(grain, 1, period_start_column)) }} as date)
{%- endmacro %}

{#- First day of the calendar period (grain column: day, week = ISO week from Monday, month) holding a date. -#}
{% macro period_start_by_grain_column(grain_column, date_column) -%}
    case {{ grain_column }}
        when 'day' then cast({{ date_column }} as date)
        when 'week' then cast({{ dbt.date_trunc('week', date_column) }} as date)
        when 'month' then cast({{ dbt.date_trunc('month', date_column) }} as date)
    end
{%- endmacro %}

{#- Whole periods between two period starts of the same grain column. Weeks: a day difference divided by 7 (both
    are Mondays), because dbt.datediff counts Sunday boundaries for weeks (and spans differ between engines). -#}
{% macro period_number_by_grain_column(grain_column, from_start, to_start) -%}
    case {{ grain_column }}
        when 'day' then cast({{ dbt.datediff(from_start, to_start, 'day') }} as integer)
        when 'week' then cast(({{ dbt.datediff(from_start, to_start, 'day') }}) / 7 as integer)
        when 'month' then cast({{ dbt.datediff(from_start, to_start, 'month') }} as integer)
    end
{%- endmacro %}

{#- Last day of period number `n` after the period starting at `start_column`, for a grain column. -#}
{% macro period_end_by_grain_column(grain_column, start_column, n) -%}
    cast({{ dbt.dateadd('day', -1,
        "case " ~ grain_column
        ~ " when 'day' then " ~ dbt.dateadd('day', '(' ~ n ~ ') + 1', start_column)
        ~ " when 'week' then " ~ dbt.dateadd('day', '7 * ((' ~ n ~ ') + 1)', start_column)
        ~ " when 'month' then " ~ dbt.dateadd('month', '(' ~ n ~ ') + 1', start_column)
        ~ " end") }} as date)
{%- endmacro %}
