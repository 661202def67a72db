{#- The raw layer on Spark (docs/scaling.md). `dbt run-operation register_raw_parquet` (after each Parquet export) creates
    database `raw` and one external table per Parquet folder written by retention_warehouse/parquet_export.py (var raw_parquet_dir, from RW_PARQUET_DIR),
    so source('app', ...) reads the same rows as on DuckDB. Does nothing on other engines. (Not an on-run-start
    hook: a hook adds a PASS line to every DuckDB invocation too.) -#}
{% macro register_raw_parquet() -%}
    {%- if execute and target.type == 'spark' -%}
        {%- set root = var('raw_parquet_dir') -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for table in var('raw_parquet_tables') -%}
            {%- do run_query('drop table if exists raw.' ~ table) -%}
            {%- do run_query("create table raw." ~ table ~ " using parquet location '" ~ root ~ "/" ~ table ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- dbt-spark's seed loader binds values into the SQL text without escaping quotes in method: session, so a seed
    text with an apostrophe (metric_catalog: "day's") breaks the insert. Same loader, values written as escaped
    literals. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}
                        cast(null as {{ type }})
                    {%- else -%}
                        cast('{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %},{% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}

{#- Model contracts declare `varchar` (the house type list); bare VARCHAR has no length on Spark, where the same
    type is STRING. Used by dbt's contract check (get_empty_schema_sql casts null to each declared type). -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ 'string' if (type | string | trim | lower) == 'varchar' else type }})
{%- endmacro %}
