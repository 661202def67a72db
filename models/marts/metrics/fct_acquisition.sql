-- Acquisition per grain (var grains.metrics), signup period and channel (docs/metric_definitions.md#monetisation-and-acquisition): new users,
-- marketing spend, CAC, observed LTV (net revenue per cohort user from signup day 0 through day N, for N in var
-- ltv_horizons_days, from int_users_revenue_days as in fct_cohort_ltv), LTV/CAC at var ltv_to_cac_horizon_days,
-- and payback days (first day since signup on which cumulative LTV per user reaches CAC). An LTV horizon not yet
-- observed for the cohort's last signup day is NULL.
-- CAC is NULL for a channel with no spend rows in the period (organic, unknown), not 0.
{%- set horizons = var('ltv_horizons_days') %}
{%- set cac_horizon = var('ltv_to_cac_horizon_days') %}
with

periods as {{ not_materialized() }} (

    select * from {{ ref('int_metric_periods') }}

),

users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

revenue_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_revenue_days') }}

),

spend as {{ not_materialized() }} (

    select * from {{ ref('stg_app__marketing_spend') }}

),

day_offsets as (

    select cast(generated_number - 1 as integer) as day_offset
    from ({{ dbt.generate_series(var('payback_max_days') + 1) }}) as series

),

cohort_users as (

    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        periods.as_of_date,
        users.user_key,
        users.signup_date,
        users.acquisition_channel

    from periods
    inner join users
        on users.signup_date between periods.period_start and periods.observed_through

),

new_users as (

    select
        grain,
        period_start,
        acquisition_channel,
        count(*) as new_users

    from cohort_users
    group by 1, 2, 3

),

channel_spend as (

    select
        periods.grain,
        periods.period_start,
        spend.acquisition_channel,
        sum(spend.spend) as spend

    from periods
    inner join spend
        on spend.spend_date between periods.period_start and periods.observed_through
    group by 1, 2, 3

),

-- Net revenue of cohort users by days since their own signup.
revenue_by_offset as (

    select
        cohort_users.grain,
        cohort_users.period_start,
        cohort_users.acquisition_channel,
        revenue_days.day_offset,
        sum(revenue_days.net_revenue) as revenue

    from cohort_users
    inner join revenue_days
        on cohort_users.user_key = revenue_days.user_key
    group by 1, 2, 3, 4

),

cohorts as (

    select
        coalesce(new_users.grain, channel_spend.grain) as grain,
        coalesce(new_users.period_start, channel_spend.period_start) as period_start,
        coalesce(new_users.acquisition_channel, channel_spend.acquisition_channel) as acquisition_channel,
        coalesce(new_users.new_users, 0) as new_users,
        channel_spend.spend,
        case when new_users.new_users > 0 then cast(channel_spend.spend as double) / new_users.new_users end as cac

    from new_users
    full outer join channel_spend
        on new_users.grain = channel_spend.grain
            and new_users.period_start = channel_spend.period_start
            and new_users.acquisition_channel = channel_spend.acquisition_channel

),

cohort_periods as (

    select
        cohorts.*,
        periods.period_end,
        periods.as_of_date,
        periods.is_complete

    from cohorts
    inner join periods
        on cohorts.grain = periods.grain
            and cohorts.period_start = periods.period_start

),

-- Cumulative LTV per user on each observed day since signup (observed for every user of the cohort).
cumulative_ltv as (

    select
        cohort_periods.grain,
        cohort_periods.period_start,
        cohort_periods.acquisition_channel,
        day_offsets.day_offset,
        coalesce(sum(revenue_by_offset.revenue), 0) / cohort_periods.new_users as ltv

    from cohort_periods
    inner join day_offsets
        on {{ dbt.dateadd('day', 'day_offsets.day_offset', 'cohort_periods.period_end') }} <= cohort_periods.as_of_date
    left join revenue_by_offset
        on cohort_periods.grain = revenue_by_offset.grain
            and cohort_periods.period_start = revenue_by_offset.period_start
            and cohort_periods.acquisition_channel = revenue_by_offset.acquisition_channel
            and revenue_by_offset.day_offset <= day_offsets.day_offset
    where cohort_periods.new_users > 0
    group by 1, 2, 3, 4, cohort_periods.new_users  -- noqa: AM06

),

ltv_by_cohort as (

    select
        cumulative_ltv.grain,
        cumulative_ltv.period_start,
        cumulative_ltv.acquisition_channel,
        {% for horizon in horizons %}
            max(case when cumulative_ltv.day_offset = {{ horizon }} then cumulative_ltv.ltv end) as ltv_{{ horizon }}d,
        {% endfor %}
        max(case when cumulative_ltv.day_offset = {{ cac_horizon }} then cumulative_ltv.ltv end) as ltv_for_cac,
        min(case when cumulative_ltv.ltv >= cohort_periods.cac then cumulative_ltv.day_offset end) as payback_days

    from cumulative_ltv
    inner join cohort_periods
        on cumulative_ltv.grain = cohort_periods.grain
            and cumulative_ltv.period_start = cohort_periods.period_start
            and cumulative_ltv.acquisition_channel = cohort_periods.acquisition_channel
    group by 1, 2, 3

),

final as (

    select
        cast(cohort_periods.grain as {{ dbt.type_string() }}) as grain,
        cast(cohort_periods.period_start as date) as period_start,
        cast(cohort_periods.period_end as date) as period_end,
        cast(cohort_periods.acquisition_channel as {{ dbt.type_string() }}) as acquisition_channel,
        cast(cohort_periods.new_users as bigint) as new_users,
        cast(coalesce(cohort_periods.spend, 0) as double) as spend,
        cast(cohort_periods.cac as double) as cac,
        {% for horizon in horizons %}
            cast(ltv_by_cohort.ltv_{{ horizon }}d as double) as ltv_{{ horizon }}d,
        {% endfor %}
        cast({{ safe_ratio('ltv_by_cohort.ltv_for_cac', 'cohort_periods.cac') }} as double) as ltv_to_cac,
        cast(ltv_by_cohort.payback_days as integer) as payback_days,
        cohort_periods.is_complete as is_complete_period

    from cohort_periods
    left join ltv_by_cohort
        on cohort_periods.grain = ltv_by_cohort.grain
            and cohort_periods.period_start = ltv_by_cohort.period_start
            and cohort_periods.acquisition_channel = ltv_by_cohort.acquisition_channel

)

select * from final
