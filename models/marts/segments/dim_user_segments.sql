-- Every signed-up user's segments as of the as-of date (var as_of_date, else the last activity day): the
-- as-of date's snapshot in the shape of fct_user_segment_history, whose contract columns and types it takes, all
-- but the week-end and month-end flags. The rows come from the snapshots the history is cut from, because the
-- history keeps week and month ends only and the as-of date is often neither.
-- depends_on: {{ ref('fct_user_segment_history') }}
{%- set history = graph.nodes.values()
    | selectattr('resource_type', 'equalto', 'model')
    | selectattr('name', 'equalto', 'fct_user_segment_history')
    | list if execute else [] %}
{%- set columns = history[0].columns.values() | rejectattr('name', 'in', ['is_week_end', 'is_month_end']) | list
    if history else [] %}
{%- set casts = [] %}
{%- for column in columns %}
    {%- set data_type = dbt.type_string() if column.data_type == 'varchar' else column.data_type %}
    {%- do casts.append('cast(' ~ column.name ~ ' as ' ~ data_type ~ ') as ' ~ column.name) %}
{%- endfor %}
with

snapshots as {{ not_materialized() }} (

    select * from {{ ref('int_users_segment_snapshots') }}

),

final as (

    select
        {{ casts | join(',\n        ') }}

    from snapshots
    where is_as_of_date

)

select * from final
