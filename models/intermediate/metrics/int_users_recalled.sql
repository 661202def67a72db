-- Recall (METRICS.md section 3): one row per grain (var recall_grains) x period x user who was silent or churned
-- at the period's start (last active day before the start at least var activity_silent_after_days days earlier), with the
-- user's state then and whether they were active again within the period (recalled).
-- To reconcile with issue 6's fct_recall once both are on main.
{%- set silent = var('activity_silent_after_days') %}
{%- set churned = var('activity_churned_after_days') %}
with

periods as (

    select * from {{ ref('int_metric_periods') }}

),

activity_days as (

    select * from {{ ref('int_users_activity_days') }}

),

last_active_before_start as (

    select
        periods.grain,
        periods.period_start,
        activity_days.user_key,
        max(activity_days.activity_date) as last_active_date

    from periods
    inner join activity_days
        on activity_days.activity_date < periods.period_start
    where periods.grain in ({% for g in var('recall_grains') %}'{{ g }}'{% if not loop.last %}, {% endif %}{% endfor %})
    group by 1, 2, 3

),

inactive_at_start as (

    select
        grain,
        period_start,
        user_key,
        last_active_date,
        {{ dbt.datediff('last_active_date', 'period_start', 'day') }} as days_since_active

    from last_active_before_start

),

active_in_period as (

    select distinct
        periods.grain,
        periods.period_start,
        activity_days.user_key

    from periods
    inner join activity_days
        on activity_days.activity_date between periods.period_start and periods.period_end

),

final as (

    select
        inactive_at_start.grain,
        inactive_at_start.period_start,
        inactive_at_start.user_key,
        cast(inactive_at_start.days_since_active as integer) as days_since_active,
        cast(
            case when inactive_at_start.days_since_active >= {{ churned }} then 'churned' else 'silent' end
            as {{ dbt.type_string() }}
        ) as state_at_start,
        active_in_period.user_key is not null as is_recalled

    from inactive_at_start
    left join active_in_period
        on inactive_at_start.grain = active_in_period.grain
            and inactive_at_start.period_start = active_in_period.period_start
            and inactive_at_start.user_key = active_in_period.user_key
    where inactive_at_start.days_since_active >= {{ silent }}

)

select * from final
