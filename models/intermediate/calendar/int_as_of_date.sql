-- The as-of date of every model and of the publication, one row: var as_of_date when set, else the last reporting
-- day with activity (a day with an active, non-passive event).
with

activity_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_days') }}

),

final as (

    {%- if var('as_of_date') %}

        select cast('{{ var("as_of_date") }}' as date) as as_of_date

    {%- else %}

        select max(activity_date) as as_of_date
        from activity_days

    {%- endif %}

)

select * from final
