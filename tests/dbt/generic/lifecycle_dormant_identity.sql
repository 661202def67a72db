{#- Lifecycle identity: dormant_users(t) = active_users(t-1) - returning_users(t) for every period grain, where
    t-1 is the previous row of the same grain (every period has a row) and is 0 before the first period. -#}
{% test lifecycle_dormant_identity(model) %}

with

periods as (

    select
        grain,
        period_start,
        active_users,
        returning_users,
        dormant_users,
        coalesce(lag(active_users) over (partition by grain order by period_start), 0)
            as previous_active_users

    from {{ model }}

)

select *
from periods
where dormant_users <> previous_active_users - returning_users

{% endtest %}
