-- Cross-table consistency: fct_metrics has exactly one `dau` row per day of fct_engagement_daily, with the same
-- value. Returns the days that are missing on either side or differ.
with

engagement as (

    select
        activity_date,
        dau

    from {{ ref('fct_engagement_daily') }}

),

in_metrics as (

    select
        period_start as activity_date,
        value as dau

    from {{ ref('fct_metrics') }}
    where metric_name = 'dau'
        and grain = 'day'
        and breakdown_name = 'all'

)

select
    coalesce(engagement.activity_date, in_metrics.activity_date) as activity_date,
    engagement.dau as engagement_dau,
    in_metrics.dau as metrics_dau

from engagement
full outer join in_metrics
    on engagement.activity_date = in_metrics.activity_date
where engagement.activity_date is null
    or in_metrics.activity_date is null
    or engagement.dau <> in_metrics.dau
