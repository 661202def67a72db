-- Engagement per reporting day (METRICS.md section 2): DAU, rolling WAU (7 days) and MAU (30 days) ending that
-- day, stickiness, new users, interactions per weekly active user, share of weekly active users with at least
-- var attached_min_weekly_interactions interactions, and 7-day core-feature penetration of the day's signups.
{%- set window = var('core_feature_window_days') %}
with

periods as (

    select * from {{ ref('int_metric_periods') }}

),

activity_days as (

    select * from {{ ref('int_users_activity_days') }}

),

users as (

    select * from {{ ref('int_users_resolved') }}

),

events as (

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

-- Every user's activity in the 30 days ending each day.
user_windows as (

    select
        days.activity_date,
        activity_days.user_key,
        max(case when activity_days.activity_date = days.activity_date then 1 else 0 end) as is_daily_active,
        max(
            case when activity_days.activity_date > {{ dbt.dateadd('day', -7, 'days.activity_date') }} then 1 else 0 end
        ) as is_weekly_active,
        sum(
            case
                when activity_days.activity_date > {{ dbt.dateadd('day', -7, 'days.activity_date') }}
                    then activity_days.interactions
                else 0
            end
        ) as weekly_interactions

    from days
    inner join activity_days
        on activity_days.activity_date <= days.activity_date
            and activity_days.activity_date > {{ dbt.dateadd('day', -30, 'days.activity_date') }}
    group by 1, 2

),

engagement as (

    select
        activity_date,
        sum(is_daily_active) as dau,
        sum(is_weekly_active) as wau,
        count(*) as mau,
        sum(weekly_interactions) as weekly_interactions,
        sum(
            case
                when is_weekly_active = 1 and weekly_interactions >= {{ var('attached_min_weekly_interactions') }}
                    then 1
                else 0
            end
        ) as attached_users

    from user_windows
    group by 1

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
