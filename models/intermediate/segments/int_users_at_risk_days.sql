-- Early warning (docs/metric_definitions.md#activity-states-and-recall), one row per user and day on which the user is at risk. Two consecutive
-- windows of `at_risk_window_days` end on the day: recent = the last w days (the day included), baseline = the w
-- days before. Reasons, in order of precedence:
--   no_activity_after_regular: no activity day in the recent window after >= at_risk_regular_min_active_days
--                              activity days in the baseline window (7 days without opening after regular use);
--   active_days_drop:          recent active days <= (1 - at_risk_drop_share) x baseline active days, with a
--                              baseline of >= at_risk_min_baseline_active_days;
--   interactions_drop:         the same on interactions, baseline >= at_risk_min_baseline_interactions.
-- The window counts of a user only change on the days an activity day a enters the recent window (a), moves to the
-- baseline (a + w) and leaves it (a + 2w): running sums over these change days, in day order, give the counts of
-- each span up to the next change, and only the spans that are at risk are expanded into their days. Every reason
-- needs a non-empty baseline (the minimums below are at least 1, checked at compile time), so the same baseline
-- days, entered on or before the span's first day and leaving after its last, cover the whole span: a span at
-- risk is at most w days long.
{%- set window = var('at_risk_window_days') %}
{%- set keep = 1 - var('at_risk_drop_share') %}
{%- if [var('at_risk_regular_min_active_days'), var('at_risk_min_baseline_active_days'),
    var('at_risk_min_baseline_interactions')] | min < 1 %}
    {{ exceptions.raise_compiler_error('int_users_at_risk_days needs the at-risk baseline minimums to be at least 1') }}
{%- endif %}
with

spells as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_spells') }}

),

calendar as {{ not_materialized() }} (

    select * from {{ ref('int_segment_calendar_days') }}

),

-- 0: enters the recent window, 1: moves to the baseline, 2: leaves the baseline.
edges as (

    select cast(generated_number - 1 as integer) as edge
    from ({{ dbt.generate_series(3) }}) as series

),

offsets as (

    select cast(generated_number - 1 as integer) as day_offset
    from ({{ dbt.generate_series(window) }}) as series

),

-- Users are numbered once (for 100M events): the change days are sorted on a bigint, and the user_key is joined back
-- to the days at risk only.
user_numbers as (

    {{ numbered_users('spells') }}

),

changes as (

    select
        user_numbers.user_number,
        spells.activity_date,
        cast({{ dbt.dateadd('day', 'edges.edge * ' ~ window, 'spells.activity_date') }} as date) as change_date,
        case edges.edge when 0 then 1 when 1 then -1 else 0 end as recent_change,
        case edges.edge when 1 then 1 when 2 then -1 else 0 end as baseline_change,
        spells.interactions

    from spells
    inner join user_numbers
        on spells.user_key = user_numbers.user_key
    cross join edges

),

-- The counts from each change day to the day before the next one; of several changes on one day only the last row,
-- whose running sums include them all, spans any days.
spans as (

    select
        user_number,
        change_date,
        {%- for name, change in [
            ('recent_active_days', 'recent_change'),
            ('baseline_active_days', 'baseline_change'),
            ('recent_interactions', 'recent_change * interactions'),
            ('baseline_interactions', 'baseline_change * interactions'),
        ] %}
            sum({{ change }}) over (
                partition by user_number order by change_date, activity_date
                rows between unbounded preceding and current row
            ) as {{ name }},
        {%- endfor %}
        lead(change_date) over (partition by user_number order by change_date, activity_date) as next_change_date

    from changes

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

    from spans

),

at_risk_spans as (

    select
        *,
        {{ dbt.datediff('change_date', 'next_change_date', 'day') }} as span_length

    from flagged
    where is_no_activity_after_regular or is_active_days_drop or is_interactions_drop

),

final as (

    select
        user_numbers.user_key,
        calendar.date_day as at_risk_date,
        case
            when at_risk_spans.is_no_activity_after_regular then 'no_activity_after_regular'
            when at_risk_spans.is_active_days_drop then 'active_days_drop'
            else 'interactions_drop'
        end as at_risk_reason,
        at_risk_spans.is_no_activity_after_regular,
        at_risk_spans.is_active_days_drop,
        at_risk_spans.is_interactions_drop,
        at_risk_spans.recent_active_days,
        at_risk_spans.baseline_active_days,
        at_risk_spans.recent_interactions,
        at_risk_spans.baseline_interactions

    from at_risk_spans
    inner join offsets
        on offsets.day_offset < at_risk_spans.span_length
    inner join calendar
        on calendar.date_day = cast({{ dbt.dateadd('day', 'offsets.day_offset', 'at_risk_spans.change_date') }} as date)
    inner join user_numbers
        on at_risk_spans.user_number = user_numbers.user_number

)

select * from final
