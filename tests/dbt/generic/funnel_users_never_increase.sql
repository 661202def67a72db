{#- Monotonic funnel invariant: within a funnel, entry period and breakdown, users never increase along the steps,
    and step 1 equals entry_users. Fails with the offending rows. -#}
{% test funnel_users_never_increase(model) %}

with

cells as (

    select
        *,
        lag(users) over (
            partition by funnel_name, grain, period_start, breakdown_name, breakdown_value
            order by step_number
        ) as previous_users

    from {{ model }}

)

select *
from cells
where users > previous_users
    or (step_number = 1 and users <> entry_users)
    or users < 0

{% endtest %}
