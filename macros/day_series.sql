{#- Every calendar day from start_date to end_date (inclusive) as a subquery with one column `date_day`.
    start_date and end_date are column expressions of the one-row from_relation (e.g. a CTE), so the range is known only at run time;
    dbt.date_spine needs it at compile time. One implementation per engine. -#}
{% macro day_series(start_date, end_date, from_relation) -%}
    {{ return(adapter.dispatch('day_series', 'retention_warehouse')(start_date, end_date, from_relation)) }}
{%- endmacro %}

{% macro default__day_series(start_date, end_date, from_relation) -%}
    select cast(series_day as date) as date_day
    from (
        select unnest(generate_series(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day))
            as series_day
        from {{ from_relation }}
    ) as series
{%- endmacro %}

{% macro spark__day_series(start_date, end_date, from_relation) -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date))) as date_day
    from {{ from_relation }}
{%- endmacro %}
