-- The as-of date of every model and of the publication, one row: var as_of_date when set, else the last reporting
-- day with activity (a day with an active, non-passive event).
with

activity_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_days') }}

),

final as (

    select
        {% if var('as_of_date') -%}
            cast('{{ var("as_of_date") }}' as date)
        {%- else -%}
            max(activity_date)
        {%- endif %} as as_of_date

    from activity_days

)

select * from final
