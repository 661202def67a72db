-- Per funnel and user: the furthest step of the attempt that counts (int_funnel_attempts picks it: the furthest
-- non-voided attempt, then the earliest; docs/funnels.md), with that attempt's step times; one row per step the
-- user reached, so "who dropped after step k" is `where furthest_step = k and step_number = k`.
{%- set max_steps = funnel_max_steps() %}
with

attempts as {{ not_materialized() }} (

    select * from {{ ref('int_funnel_attempts') }}

),

definitions as (
    {{ funnel_definitions_sql() }}
),

steps as (
    {{ funnel_steps_sql() }}
),

step_times as (

    select
        attempts.funnel_name,
        attempts.user_key,
        attempts.step_1_at as entry_at,
        attempts.furthest_step,
        steps.step_number,
        steps.step_name,
        case steps.step_number
            {%- for k in range(1, max_steps + 1) %}
                when {{ k }} then attempts.step_{{ k }}_at
            {%- endfor %}
        end as reached_at,
        case steps.step_number
            when 1 then cast(null as timestamp)
            {%- for k in range(2, max_steps + 1) %}
                when {{ k }} then attempts.step_{{ k - 1 }}_at
            {%- endfor %}
        end as previous_at

    from attempts
    inner join steps
        on attempts.funnel_name = steps.funnel_name
            and steps.step_number <= attempts.furthest_step

),

final as (

    select
        cast(step_times.funnel_name as {{ dbt.type_string() }}) as funnel_name,
        cast(definitions.funnel_mode as {{ dbt.type_string() }}) as funnel_mode,
        cast(step_times.user_key as {{ dbt.type_string() }}) as user_key,
        cast(step_times.entry_at as timestamp) as entry_at,
        cast({{ to_reporting_date('step_times.entry_at') }} as date) as entry_date,
        cast(step_times.furthest_step as integer) as furthest_step,
        cast(furthest.step_name as {{ dbt.type_string() }}) as furthest_step_name,
        cast(step_times.furthest_step = definitions.step_count as boolean) as is_completed,
        cast(step_times.step_number as integer) as step_number,
        cast(step_times.step_name as {{ dbt.type_string() }}) as step_name,
        cast(step_times.reached_at as timestamp) as reached_at,
        cast({{ dbt.datediff('step_times.previous_at', 'step_times.reached_at', 'second') }} as bigint)
            as seconds_from_previous

    from step_times
    inner join definitions
        on step_times.funnel_name = definitions.funnel_name
    inner join steps as furthest
        on step_times.funnel_name = furthest.funnel_name
            and step_times.furthest_step = furthest.step_number

)

select * from final
