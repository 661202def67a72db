{#- Incremental models restate what the rows loaded since their last build touch (docs/incremental.md): no fixed
    lookback, so an event of any lateness is counted. -#}

{#- WHERE condition: rows loaded after the newest load already built into the model (`mark_column`, the
    high-water mark it stores); true on a full build. Loads only append, and a load's time is later than every
    earlier load's, so nothing older can be new. -#}
{% macro loaded_since_built(loaded_column, mark_column) -%}
    {%- if is_incremental() -%}
        {{ loaded_column }} > (
            select coalesce(max({{ mark_column }}), cast('1900-01-01' as timestamp)) from {{ this }}
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- WHERE condition: `value` is not yet in `column` of the model (true on a full build), for rows that an
    append-only model takes once. -#}
{% macro not_staged_yet(value, column) -%}
    {%- if is_incremental() -%}
        {{ value }} not in (select {{ column }} from {{ this }})
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- WHERE condition `filter_column >= <date>`, the first reporting date that rows loaded since the last build
    touch, read once at compile time, so the engine prunes the scan of older days; `1 = 1` on a full build, in
    unit tests and when nothing new was loaded (the touched rows then select nothing anyway). -#}
{% macro restated_from(relation, date_column, loaded_column, mark_column, filter_column) -%}
    {%- set first = none -%}
    {%- if is_incremental() and execute and model.resource_type == 'model' -%}
        {%- set first_sql -%}
            select min({{ date_column }}) from {{ relation }}
            where {{ loaded_since_built(loaded_column, mark_column) }}
        {%- endset -%}
        {%- set first = run_query(first_sql).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if first is not none -%}
        {{ filter_column }} >= cast('{{ first }}' as date)
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
