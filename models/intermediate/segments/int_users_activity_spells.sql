-- One row per user and activity day with the previous and next activity day, and the activity spell it belongs
-- to. A spell is a run of activity days with no gap long enough to make the user silent: the user turns silent
-- `activity_silent_after_days` days after the spell's last day unless active again before (docs/metric_definitions.md#activity-states-and-recall).
{%- set silent_after = var('activity_silent_after_days') %}
with

activity_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_days') }}

),

neighbours as (

    select
        user_key,
        activity_date,
        interactions,
        creations,
        lag(activity_date) over (partition by user_key order by activity_date) as previous_activity_date,
        lead(activity_date) over (partition by user_key order by activity_date) as next_activity_date

    from activity_days

),

flagged as (

    select
        *,
        case
            when previous_activity_date is null then 1
            when {{ dbt.datediff('previous_activity_date', 'activity_date', 'day') }} > {{ silent_after }} then 1
            else 0
        end as starts_spell,
        next_activity_date is null
        or {{ dbt.datediff('activity_date', 'next_activity_date', 'day') }} > {{ silent_after }} as ends_spell

    from neighbours

),

numbered as (

    select
        *,
        sum(starts_spell) over (
            partition by user_key order by activity_date rows between unbounded preceding and current row
        ) as spell_number

    from flagged

),

final as (

    select
        user_key,
        activity_date,
        interactions,
        creations,
        previous_activity_date,
        next_activity_date,
        spell_number,
        min(activity_date) over (partition by user_key, spell_number) as spell_start_date,
        starts_spell = 1 as starts_spell,
        ends_spell,
        case
            when ends_spell then cast({{ dbt.dateadd('day', silent_after, 'activity_date') }} as date)
        end as turns_silent_date

    from numbered

)

select * from final
