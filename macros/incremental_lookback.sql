{#- Incremental models rebuild the last var('incremental_lookback_days') reporting days before the newest day
    already in the table, so events that arrive a few days late are still counted. Used inside a WHERE clause:
    `where {{ incremental_lookback('event_date', 'activity_date') }}`; true on a full build. -#}
{% macro incremental_lookback(source_date_column, target_date_column) -%}
    {%- if is_incremental() -%}
        {{ source_date_column }} >= (
            select {{ dbt.dateadd('day', -1 * var('incremental_lookback_days') | int, 'max(' ~ target_date_column ~ ')') }}
            from {{ this }}
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- delete+insert where the engine has it (DuckDB), merge elsewhere (Spark with Delta or Iceberg). -#}
{% macro incremental_strategy_for_target() -%}
    {{ return('delete+insert' if target.type == 'duckdb' else 'merge') }}
{%- endmacro %}
