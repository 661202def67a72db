{#- UTC timestamps to the reporting time zone (var reporting_timezone), per engine. -#}
{% macro to_reporting_time(column) -%}
    {{ return(adapter.dispatch('to_reporting_time', 'retention_warehouse')(column)) }}
{%- endmacro %}

{% macro default__to_reporting_time(column) -%}
    (({{ column }} at time zone 'UTC') at time zone '{{ var("reporting_timezone") }}')
{%- endmacro %}

{% macro spark__to_reporting_time(column) -%}
    from_utc_timestamp({{ column }}, '{{ var("reporting_timezone") }}')
{%- endmacro %}

{% macro to_reporting_date(column) -%}
    cast({{ to_reporting_time(column) }} as date)
{%- endmacro %}
