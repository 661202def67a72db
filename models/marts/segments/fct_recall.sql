-- Recall (win-back of lapsed users) and active spell length per period grain (week, month) and period (docs/metric_definitions.md#activity-states-and-recall).
-- Lapsed at the period start = silent or churned as of the day before the period starts (state thresholds are
-- vars); recalled = active again on a day of the period (up to the as-of date). The rate carries a 95% Wilson
-- interval. Spells: a spell runs from its first activity day to the day the user turns silent
-- (last activity day + activity_silent_after_days); avg_active_spell_days averages that span over the spells that
-- turned silent inside the period.
{%- set churned_after = var('activity_churned_after_days') %}
with

spells as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_spells') }}

),

calendar as {{ not_materialized() }} (

    select * from {{ ref('int_segment_calendar_days') }}

),

as_of as (

    select max(as_of_date) as as_of_date from calendar

),

periods as (

    {%- for grain in grains_for('recall') %}
        select distinct
            '{{ grain }}' as grain,
            {{ period_start(grain, 'date_day') }} as period_start,
            {{ period_end(grain, period_start(grain, 'date_day')) }} as period_end

        from calendar
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- A lapse starts the day the user turns silent and ends the day before the next activity day (or never).
lapses as (

    select
        user_key,
        activity_date as last_active_date,
        turns_silent_date,
        next_activity_date

    from spells
    where ends_spell

),

lapsed_at_start as (

    select
        periods.grain,
        periods.period_start,
        lapses.user_key,
        case
            when {{ dbt.datediff('lapses.last_active_date', 'periods.period_start', 'day') }} - 1
                >= {{ churned_after }} then 'churned'
            else 'silent'
        end as state_at_start,
        lapses.next_activity_date is not null
        and lapses.next_activity_date <= periods.period_end
        and lapses.next_activity_date <= as_of.as_of_date as is_recalled

    from periods
    cross join as_of
    inner join lapses
        on lapses.turns_silent_date < periods.period_start
            and (lapses.next_activity_date is null or lapses.next_activity_date >= periods.period_start)

),

recall_counts as (

    select
        grain,
        period_start,
        sum(case when state_at_start = 'silent' then 1 else 0 end) as silent_users_at_start,
        sum(case when state_at_start = 'churned' then 1 else 0 end) as churned_users_at_start,
        count(*) as lapsed_users_at_start,
        sum(case when state_at_start = 'silent' and is_recalled then 1 else 0 end) as recalled_from_silent,
        sum(case when state_at_start = 'churned' and is_recalled then 1 else 0 end) as recalled_from_churned,
        sum(case when is_recalled then 1 else 0 end) as recalled_users

    from lapsed_at_start
    group by 1, 2

),

spell_counts as (

    select
        periods.grain,
        periods.period_start,
        count(*) as spells_turned_silent,
        avg(cast({{ dbt.datediff('spells.spell_start_date', 'spells.turns_silent_date', 'day') }} as double))
            as avg_active_spell_days

    from periods
    cross join as_of
    inner join spells
        on spells.turns_silent_date between periods.period_start and periods.period_end
            and spells.turns_silent_date <= as_of.as_of_date
    group by 1, 2

),

final as (

    select
        cast(periods.grain as {{ dbt.type_string() }}) as grain,
        cast(periods.period_start as date) as period_start,
        cast(periods.period_end as date) as period_end,
        cast(periods.period_end <= as_of.as_of_date as boolean) as is_complete,
        cast(coalesce(recall_counts.silent_users_at_start, 0) as bigint) as silent_users_at_start,
        cast(coalesce(recall_counts.churned_users_at_start, 0) as bigint) as churned_users_at_start,
        cast(coalesce(recall_counts.lapsed_users_at_start, 0) as bigint) as lapsed_users_at_start,
        cast(coalesce(recall_counts.recalled_from_silent, 0) as bigint) as recalled_from_silent,
        cast(coalesce(recall_counts.recalled_from_churned, 0) as bigint) as recalled_from_churned,
        cast(coalesce(recall_counts.recalled_users, 0) as bigint) as recalled_users,
        cast(recall_counts.recalled_users * 1.0 / recall_counts.lapsed_users_at_start as double) as recall_rate,
        cast({{ wilson_ci_low('recall_counts.recalled_users', 'recall_counts.lapsed_users_at_start') }} as double)
            as recall_rate_ci_low,
        cast({{ wilson_ci_high('recall_counts.recalled_users', 'recall_counts.lapsed_users_at_start') }} as double)
            as recall_rate_ci_high,
        cast(coalesce(spell_counts.spells_turned_silent, 0) as bigint) as spells_turned_silent,
        cast(spell_counts.avg_active_spell_days as double) as avg_active_spell_days

    from periods
    cross join as_of
    left join recall_counts
        on periods.grain = recall_counts.grain
            and periods.period_start = recall_counts.period_start
    left join spell_counts
        on periods.grain = spell_counts.grain
            and periods.period_start = spell_counts.period_start

)

select * from final
