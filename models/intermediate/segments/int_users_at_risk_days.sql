-- Early warning (docs/metric_definitions.md#activity-states-and-recall), one row per user and day on which the user is at risk. Two consecutive
-- windows of `at_risk_window_days` end on the day: recent = the last w days (the day included), baseline = the w
-- days before. Reasons, in order of precedence:
--   no_activity_after_regular: no activity day in the recent window after >= at_risk_regular_min_active_days
--                              activity days in the baseline window (7 days without opening after regular use);
--   active_days_drop:          recent active days <= (1 - at_risk_drop_share) x baseline active days, with a
--                              baseline of >= at_risk_min_baseline_active_days;
--   interactions_drop:         the same on interactions, baseline >= at_risk_min_baseline_interactions.
-- Each activity day contributes to the 2w days that follow it, so only those candidate days are computed.
{%- set window = var('at_risk_window_days') %}
{%- set keep = 1 - var('at_risk_drop_share') %}
with

spells as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_spells') }}

),

calendar as {{ not_materialized() }} (

    select * from {{ ref('int_segment_calendar_days') }}

),

offsets as (

    select cast(generated_number - 1 as integer) as day_offset
    from ({{ dbt.generate_series(2 * window) }}) as series

),

-- Users are numbered once (for 100M events): the 2w contributions per activity day are grouped on a bigint, and the
-- user_key is joined back to the days at risk only.
user_numbers as (

    {{ numbered_users('spells') }}

),

contributions as (

    select
        user_numbers.user_number,
        cast({{ dbt.dateadd('day', 'offsets.day_offset', 'spells.activity_date') }} as date) as at_risk_date,
        case when offsets.day_offset < {{ window }} then 1 else 0 end as is_recent,
        spells.interactions

    from spells
    inner join user_numbers
        on spells.user_key = user_numbers.user_key
    cross join offsets

),

windows as (

    select
        contributions.user_number,
        contributions.at_risk_date,
        sum(contributions.is_recent) as recent_active_days,
        sum(1 - contributions.is_recent) as baseline_active_days,
        sum(contributions.is_recent * contributions.interactions) as recent_interactions,
        sum((1 - contributions.is_recent) * contributions.interactions) as baseline_interactions

    from contributions
    inner join calendar
        on contributions.at_risk_date = calendar.date_day
    group by 1, 2

),

flagged as (

    select
        *,
        recent_active_days = 0
        and baseline_active_days >= {{ var('at_risk_regular_min_active_days') }} as is_no_activity_after_regular,
        baseline_active_days >= {{ var('at_risk_min_baseline_active_days') }}
        and recent_active_days <= {{ keep }} * baseline_active_days as is_active_days_drop,
        baseline_interactions >= {{ var('at_risk_min_baseline_interactions') }}
        and recent_interactions <= {{ keep }} * baseline_interactions as is_interactions_drop

    from windows

),

final as (

    select
        user_numbers.user_key,
        flagged.at_risk_date,
        case
            when flagged.is_no_activity_after_regular then 'no_activity_after_regular'
            when flagged.is_active_days_drop then 'active_days_drop'
            else 'interactions_drop'
        end as at_risk_reason,
        flagged.is_no_activity_after_regular,
        flagged.is_active_days_drop,
        flagged.is_interactions_drop,
        flagged.recent_active_days,
        flagged.baseline_active_days,
        flagged.recent_interactions,
        flagged.baseline_interactions

    from flagged
    inner join user_numbers
        on flagged.user_number = user_numbers.user_number
    where flagged.is_no_activity_after_regular or flagged.is_active_days_drop or flagged.is_interactions_drop

)

select * from final
