{#- Incremental models rebuild the last var('incremental_lookback_days') reporting days before the newest day
    already in the table, so events that arrive a few days late are still counted. Used inside a WHERE clause:
    `where {{ incremental_lookback('event_date', 'activity_date', 'event_at') }}`; true on a full build.
    The exact filter is on the reporting date. When the table exists, the cutoff is also read once at compile
    time and a literal bound on the UTC timestamp (one day earlier, wider than any time-zone offset) is added,
    so the engine can prune the raw scan instead of computing every row of the staging view. -#}
{% macro incremental_lookback(source_date_column, target_date_column, source_timestamp_column=none) -%}
    {%- if is_incremental() -%}
        {%- set cutoff_sql -%}
            select {{ dbt.dateadd('day', -1 * var('incremental_lookback_days') | int, 'max(' ~ target_date_column ~ ')') }}
            from {{ this }}
        {%- endset -%}
        {{ source_date_column }} >= ({{ cutoff_sql }})
        {%- if source_timestamp_column and execute and model.resource_type == 'model' %}
            {%- set cutoff = run_query(cutoff_sql).columns[0].values()[0] %}
            {%- if cutoff is not none %}
        and {{ source_timestamp_column }} >= {{ dbt.dateadd('day', -1, "cast('" ~ cutoff ~ "' as timestamp)") }}
            {%- endif %}
        {%- endif %}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- delete+insert where the engine has it (DuckDB), merge elsewhere (Spark with Delta or Iceberg). -#}
{% macro incremental_strategy_for_target() -%}
    {{ return('delete+insert' if target.type == 'duckdb' else 'merge') }}
{%- endmacro %}

{#- The materialization of the incremental models. dbt-spark merges only into Delta, Iceberg or Hudi
    tables; on plain Spark (Parquet tables, var spark_table_format) the model is rebuilt as a table instead. -#}
{% macro incremental_materialization() -%}
    {%- if target.type == 'spark' and var('spark_table_format', 'parquet') not in ['delta', 'iceberg', 'hudi'] -%}
        {{ return('table') }}
    {%- endif -%}
    {{ return('incremental') }}
{%- endmacro %}

{#- Append-only incremental staging. Rows of loads newer than the newest load already in the model;
    true on a full build. Raw loads only append, so nothing older can be new. -#}
{% macro loaded_after_staged(source_loaded_at, target_loaded_at) -%}
    {%- if is_incremental() -%}
        {{ source_loaded_at }} > (
            select coalesce(max({{ target_loaded_at }}), cast('1900-01-01' as timestamp)) from {{ this }}
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
