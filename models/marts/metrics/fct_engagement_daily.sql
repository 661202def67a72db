-- Engagement per reporting day (docs/metric_definitions.md#engagement): DAU, rolling WAU (7 days) and MAU (30 days) ending that
-- day, stickiness, new users, interactions per weekly active user, share of weekly active users with at least
-- var regular_use.interactions interactions in the regular_use.days days ending on the day (attached users), and
-- 7-day core-feature penetration of the day's signups.
{%- set window = var('core_feature_window_days') %}
{%- set regular_use = var('regular_use') %}
{#- Attachment counts interactions over regular_use.days days: the 7-day count of WAU when that is a week, else a
    count of its own (attached_interactions, changing on an activity day and regular_use.days later). -#}
{%- set attached_days = regular_use['days'] %}
{%- set own_count = attached_days != 7 %}
{%- set attached_count = 'attached_interactions' if own_count else 'interactions_7' %}
with

periods as {{ not_materialized() }} (

    select * from {{ ref('int_metric_periods') }}

),

activity_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_days') }}

),

users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__events') }}

),

days as (

    select
        period_start as activity_date,
        as_of_date

    from periods
    where grain = 'day'

),

first_day as (

    select min(activity_date) as first_date
    from days

),

-- Rolling windows without a day x user fan-out (for 100M events): a user's state (activity days and interactions in the
-- last 7 days, activity days in the last 30) changes only on an activity day a (+) and on a + 7 and a + 30 (-).
-- Running sums per user give the state between changes; the users entering and leaving each state are counted,
-- and a running sum over the dates gives WAU, MAU, weekly interactions and attached users for every day.
-- Users are numbered first, so the per-user windows key on a bigint rather than the 64-character user_key.
user_numbers as (

    {{ numbered_users('activity_days') }}

),

numbered_days as (

    select
        user_numbers.user_number,
        activity_days.activity_date,
        activity_days.interactions
    from activity_days
    inner join user_numbers
        on activity_days.user_key = user_numbers.user_key

),

window_changes as (

    select
        user_number,
        activity_date as change_date,
        1 as active_days_7,
        1 as active_days_30,
        {%- if own_count %}
        interactions as attached_interactions,
        {%- endif %}
        interactions as interactions_7
    from numbered_days

    union all

    select
        user_number,
        cast({{ dbt.dateadd('day', 7, 'activity_date') }} as date) as change_date,
        -1 as active_days_7,
        0 as active_days_30,
        {%- if own_count %}
        0 as attached_interactions,
        {%- endif %}
        -interactions as interactions_7
    from numbered_days

    union all

    select
        user_number,
        cast({{ dbt.dateadd('day', 30, 'activity_date') }} as date) as change_date,
        0 as active_days_7,
        -1 as active_days_30,
        {%- if own_count %}
        0 as attached_interactions,
        {%- endif %}
        0 as interactions_7
    from numbered_days
    {%- if own_count %}

    union all

    select
        user_number,
        cast({{ dbt.dateadd('day', attached_days, 'activity_date') }} as date) as change_date,
        0 as active_days_7,
        0 as active_days_30,
        -interactions as attached_interactions,
        0 as interactions_7
    from numbered_days
    {%- endif %}

),

user_changes as (

    select
        user_number,
        change_date,
        sum(active_days_7) as active_days_7,
        sum(active_days_30) as active_days_30,
        {%- if own_count %}
        sum(attached_interactions) as attached_interactions,
        {%- endif %}
        sum(interactions_7) as interactions_7
    from window_changes
    group by 1, 2

),

-- A user's state holds from change_date until the day before their next change.
user_states as (

    select
        user_number,
        change_date,
        lead(change_date) over (partition by user_number order by change_date) as next_change_date,
        sum(active_days_7) over (
            partition by user_number order by change_date rows between unbounded preceding and current row
        ) as active_days_7,
        sum(active_days_30) over (
            partition by user_number order by change_date rows between unbounded preceding and current row
        ) as active_days_30,
        {%- if own_count %}
        sum(attached_interactions) over (
            partition by user_number order by change_date rows between unbounded preceding and current row
        ) as attached_interactions,
        {%- endif %}
        sum(interactions_7) over (
            partition by user_number order by change_date rows between unbounded preceding and current row
        ) as interactions_7
    from user_changes

),

state_flags as (

    select
        change_date,
        next_change_date,
        case when active_days_7 > 0 then 1 else 0 end as is_weekly_active,
        case when active_days_30 > 0 then 1 else 0 end as is_monthly_active,
        interactions_7,
        case
            when active_days_7 > 0 and {{ attached_count }} >= {{ regular_use['interactions'] }} then 1
            else 0
        end as is_attached
    from user_states

),

-- +1 when a state starts, -1 when it ends; the spine's days add zeros so every day gets a running total.
day_deltas as (

    select
        change_date,
        is_weekly_active as wau,
        is_monthly_active as mau,
        interactions_7 as weekly_interactions,
        is_attached as attached_users
    from state_flags

    union all

    select
        next_change_date as change_date,
        -is_weekly_active as wau,
        -is_monthly_active as mau,
        -interactions_7 as weekly_interactions,
        -is_attached as attached_users
    from state_flags
    where next_change_date is not null

    union all

    select
        activity_date as change_date,
        0 as wau,
        0 as mau,
        0 as weekly_interactions,
        0 as attached_users
    from days

),

running_totals as (

    select
        change_date as activity_date,
        sum(sum(wau)) over (order by change_date rows between unbounded preceding and current row) as wau,
        sum(sum(mau)) over (order by change_date rows between unbounded preceding and current row) as mau,
        sum(sum(weekly_interactions)) over (
            order by change_date rows between unbounded preceding and current row
        ) as weekly_interactions,
        sum(sum(attached_users)) over (
            order by change_date rows between unbounded preceding and current row
        ) as attached_users
    from day_deltas
    group by 1

),

daily_active as (

    select
        activity_date,
        count(*) as dau
    from activity_days
    group by 1

),

engagement as (

    select
        running_totals.activity_date,
        coalesce(daily_active.dau, 0) as dau,
        running_totals.wau,
        running_totals.mau,
        running_totals.weekly_interactions,
        running_totals.attached_users
    from running_totals
    left join daily_active
        on running_totals.activity_date = daily_active.activity_date

),

core_feature_users as (

    select distinct users.user_key

    from users
    inner join events
        on users.user_key = events.user_key
            and {{ in_event_set('events.event_name', 'core_feature_events') }}
            and events.event_date >= users.signup_date
            and events.event_date < {{ dbt.dateadd('day', window, 'users.signup_date') }}

),

signups as (

    select
        users.signup_date,
        count(*) as new_users,
        count(core_feature_users.user_key) as core_feature_users

    from users
    left join core_feature_users
        on users.user_key = core_feature_users.user_key
    group by 1

),

final as (

    select
        cast(days.activity_date as date) as activity_date,
        cast(coalesce(engagement.dau, 0) as bigint) as dau,
        cast(coalesce(engagement.wau, 0) as bigint) as wau,
        cast(coalesce(engagement.mau, 0) as bigint) as mau,
        cast({{ safe_ratio('engagement.dau', 'engagement.mau') }} as double) as stickiness,
        cast(coalesce(signups.new_users, 0) as bigint) as new_users,
        cast(coalesce(engagement.weekly_interactions, 0) as bigint) as weekly_interactions,
        cast({{ safe_ratio('engagement.weekly_interactions', 'engagement.wau') }} as double)
            as interactions_per_weekly_active_user,
        cast(coalesce(engagement.attached_users, 0) as bigint) as attached_users,
        cast({{ safe_ratio('engagement.attached_users', 'engagement.wau') }} as double) as attached_user_rate,
        cast(
            case when {{ dbt.dateadd('day', window - 1, 'days.activity_date') }} <= days.as_of_date
                    then coalesce(signups.core_feature_users, 0)
            end as bigint
        ) as core_feature_users,
        cast(
            case when {{ dbt.dateadd('day', window - 1, 'days.activity_date') }} <= days.as_of_date
                    then {{ safe_ratio('signups.core_feature_users', 'signups.new_users') }}
            end as double
        ) as core_feature_penetration_rate,
        {{ dbt.dateadd('day', -29, 'days.activity_date') }} >= first_day.first_date as is_full_mau_window

    from days
    cross join first_day
    left join engagement
        on days.activity_date = engagement.activity_date
    left join signups
        on days.activity_date = signups.signup_date

)

select * from final
