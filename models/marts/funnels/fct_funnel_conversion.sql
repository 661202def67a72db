-- Funnel conversion per funnel x entry period x breakdown x step (docs/metric_definitions.md#funnels; docs/funnels.md).
-- A user enters a funnel's cohort by the time of step 1 of the attempt that counts for them
-- (fct_funnel_user_progress); grain 'all' is the all-time row, with period_start NULL.
-- Rates carry numerator, denominator and a 95% Wilson interval: ci_* on overall conversion (users / entry_users),
-- step_ci_* on step conversion (users / previous_step_users).
-- A funnel nobody entered still publishes its steps, on the all-time row of all users, with 0 users and NULL rates,
-- so that an empty funnel is visible (and the run warns about it) instead of missing.
{%- set sentinel = "cast('1900-01-01' as date)" %}
with

progress as {{ not_materialized() }} (

    select * from {{ ref('fct_funnel_user_progress') }}

),

users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

steps as (
    {{ funnel_steps_sql() }}
),

entries as (

    select
        funnel_name,
        user_key,
        entry_date

    from progress
    where step_number = 1

),

entry_periods as (

    select funnel_name, user_key, 'all' as grain, {{ sentinel }} as period_start
    from entries
    {%- for grain in grains_for('funnels') %}

        union all

        select
            funnel_name,
            user_key,
            '{{ grain }}' as grain,
            {{ period_start(grain, 'entry_date') }} as period_start
        from entries
    {%- endfor %}

),

user_breakdowns as (

    select user_key, 'all' as breakdown_name, 'all' as breakdown_value
    from users
    {%- for attribute in var('funnel_breakdowns') %}

        union all

        select user_key, '{{ attribute }}' as breakdown_name, cast({{ attribute }} as {{ dbt.type_string() }}) as breakdown_value
        from users
    {%- endfor %}

),

cells as (

    select
        entry_periods.funnel_name,
        entry_periods.grain,
        entry_periods.period_start,
        user_breakdowns.breakdown_name,
        user_breakdowns.breakdown_value,
        entry_periods.user_key

    from entry_periods
    inner join user_breakdowns
        on entry_periods.user_key = user_breakdowns.user_key

),

step_counts as (

    select
        cells.funnel_name,
        cells.grain,
        cells.period_start,
        cells.breakdown_name,
        cells.breakdown_value,
        steps.step_number,
        steps.step_name,
        count(progress.user_key) as users,
        {{ percentile('progress.seconds_from_previous', 0.5) }} as median_seconds_from_previous,
        {{ percentile('progress.seconds_from_previous', 0.9) }} as p90_seconds_from_previous

    from cells
    inner join steps
        on cells.funnel_name = steps.funnel_name
    left join progress
        on cells.funnel_name = progress.funnel_name
            and cells.user_key = progress.user_key
            and steps.step_number = progress.step_number
    group by 1, 2, 3, 4, 5, 6, 7

    union all

    select
        steps.funnel_name,
        'all' as grain,
        {{ sentinel }} as period_start,
        'all' as breakdown_name,
        'all' as breakdown_value,
        steps.step_number,
        steps.step_name,
        0 as users,
        null as median_seconds_from_previous,
        null as p90_seconds_from_previous

    from steps
    where not exists (select 1 from entries where entries.funnel_name = steps.funnel_name)

),

with_previous as (

    select
        step_counts.*,
        max(case when step_number = 1 then users end) over (
            partition by funnel_name, grain, period_start, breakdown_name, breakdown_value
        ) as entry_users,
        coalesce(
            lag(users) over (
                partition by funnel_name, grain, period_start, breakdown_name, breakdown_value
                order by step_number
            ),
            users
        ) as previous_step_users

    from step_counts

),

final as (

    select
        cast(funnel_name as {{ dbt.type_string() }}) as funnel_name,
        cast(grain as {{ dbt.type_string() }}) as grain,
        cast(case when grain <> 'all' then period_start end as date) as period_start,
        cast(breakdown_name as {{ dbt.type_string() }}) as breakdown_name,
        cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
        cast(step_number as integer) as step_number,
        cast(step_name as {{ dbt.type_string() }}) as step_name,
        cast(users as bigint) as users,
        cast(entry_users as bigint) as entry_users,
        cast(previous_step_users as bigint) as previous_step_users,
        cast(case when previous_step_users > 0 then cast(users as double) / previous_step_users end as double)
            as step_conversion_rate,
        cast(case when entry_users > 0 then cast(users as double) / entry_users end as double)
            as overall_conversion_rate,
        cast(previous_step_users - users as bigint) as dropoff_users,
        cast(median_seconds_from_previous as double) as median_seconds_from_previous,
        cast(p90_seconds_from_previous as double) as p90_seconds_from_previous,
        -- clamped to [0, 1]: at 0 or all successes the Wilson formula is off by a rounding error (1 + 2e-16)
        cast(greatest(least({{ wilson_ci_low('users', 'entry_users') }}, 1.0), 0.0) as double) as ci_low,
        cast(greatest(least({{ wilson_ci_high('users', 'entry_users') }}, 1.0), 0.0) as double) as ci_high,
        cast(greatest(least({{ wilson_ci_low('users', 'previous_step_users') }}, 1.0), 0.0) as double)
            as step_ci_low,
        cast(greatest(least({{ wilson_ci_high('users', 'previous_step_users') }}, 1.0), 0.0) as double)
            as step_ci_high

    from with_previous

)

select * from final
