-- The latest value of each watched metric against its trailing 56 days: DAU (fct_engagement_daily) and the D1
-- and D7 activity retention of the newest mature daily cohort (fct_cohort_retention, all users). The anomaly check
-- of the refresh warns when |z_score| exceeds RW_ANOMALY_SIGMA and there are at least 14 history days.
-- Mean, sd and z are rounded to 12 significant digits (macro round_significant), so two builds of the same data
-- give the same rows.
{%- set trailing_days = 56 %}
with

engagement as {{ not_materialized() }} (

    select * from {{ ref('fct_engagement_daily') }}

),

retention as {{ not_materialized() }} (

    select * from {{ ref('fct_cohort_retention') }}
    where
        retention_definition = 'activity'
        and grain = 'day'
        and breakdown_name = 'all'
        and retention_type = 'n_period'
        and period_number in (1, 7)
        and is_mature

),

daily as (

    select
        'dau' as metric_name,
        activity_date as metric_date,
        cast(dau as double) as metric_value
    from engagement

    union all

    select
        case when period_number = 1 then 'd1_retention_rate' else 'd7_retention_rate' end as metric_name,
        cohort_start as metric_date,
        retention_rate as metric_value
    from retention

),

latest as (

    select
        metric_name,
        max(metric_date) as metric_date
    from daily
    group by 1

),

scored as (

    select
        latest.metric_name,
        latest.metric_date,
        max(case when daily.metric_date = latest.metric_date then daily.metric_value end) as metric_value,
        avg(case when daily.metric_date < latest.metric_date then daily.metric_value end) as trailing_mean,
        stddev_samp(case when daily.metric_date < latest.metric_date then daily.metric_value end) as trailing_sd,
        count(case when daily.metric_date < latest.metric_date then 1 end) as history_days
    from latest
    inner join daily
        on
            latest.metric_name = daily.metric_name
            and daily.metric_date >= {{ dbt.dateadd('day', -trailing_days, 'latest.metric_date') }}
            and daily.metric_date <= latest.metric_date
    group by 1, 2

),

final as (

    select
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(metric_date as date) as metric_date,
        cast(metric_value as double) as metric_value,
        cast({{ round_significant('trailing_mean') }} as double) as trailing_mean,
        cast({{ round_significant('trailing_sd') }} as double) as trailing_sd,
        cast(history_days as bigint) as history_days,
        cast(
            case
                when trailing_sd > 0
                    then {{ round_significant('(metric_value - trailing_mean) / trailing_sd') }}
            end as double
        ) as z_score
    from scored

)

select * from final
