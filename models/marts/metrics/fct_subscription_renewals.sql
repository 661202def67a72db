-- Subscription renewals per grain (var grains.metrics), period and plan (docs/metric_definitions.md#monetisation-and-acquisition): billing periods
-- due (ending) in the period, and renewed ones (the same subscription has a next period starting no later than
-- var renewal_grace_days after the end). A period is mature when the grace time of its last day has elapsed by the
-- as-of date; before that the renewed count and the rate are NULL.
{%- set grace = var('renewal_grace_days') %}
with

periods as {{ not_materialized() }} (

    select * from {{ ref('int_metric_periods') }}

),

subscriptions as {{ not_materialized() }} (

    select * from {{ ref('stg_app__subscriptions') }}

),

billing_periods as (

    select
        subscription_id,
        plan,
        period_end_at,
        period_end_date,
        lead(period_start_at) over (
            partition by subscription_id
            order by period_start_at
        ) as next_period_start_at

    from subscriptions

),

due as (

    select
        periods.grain,
        periods.period_start,
        billing_periods.plan,
        count(*) as due_subscriptions,
        sum(
            case
                when billing_periods.next_period_start_at
                    <= {{ dbt.dateadd('day', grace, 'billing_periods.period_end_at') }} then 1
                else 0
            end
        ) as renewed_subscriptions

    from periods
    inner join billing_periods
        on billing_periods.period_end_date between periods.period_start and periods.period_end
    group by 1, 2, 3

),

final as (

    select
        cast(due.grain as {{ dbt.type_string() }}) as grain,
        cast(due.period_start as date) as period_start,
        cast(periods.period_end as date) as period_end,
        cast(due.plan as {{ dbt.type_string() }}) as plan,
        cast(due.due_subscriptions as bigint) as due_subscriptions,
        cast(case when is_mature then due.renewed_subscriptions end as bigint) as renewed_subscriptions,
        cast(case when is_mature then {{ safe_ratio('due.renewed_subscriptions', 'due.due_subscriptions') }} end as double)
            as renewal_rate,
        cast(
            case when is_mature then {{ wilson_ci_low('due.renewed_subscriptions', 'due.due_subscriptions') }} end
            as double
        ) as ci_low,
        cast(
            case when is_mature then {{ wilson_ci_high('due.renewed_subscriptions', 'due.due_subscriptions') }} end
            as double
        ) as ci_high,
        is_mature

    from due
    inner join (
        select
            *,
            {{ dbt.dateadd('day', grace, 'period_end') }} <= as_of_date as is_mature
        from periods
    ) as periods
        on due.grain = periods.grain
            and due.period_start = periods.period_start

)

select * from final
