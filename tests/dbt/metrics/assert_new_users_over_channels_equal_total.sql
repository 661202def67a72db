-- Cross-table consistency: for every grain and period, new users summed over acquisition channels
-- (fct_acquisition) equal the total new users counted from signups per day (fct_engagement_daily, summed over the
-- days of the period) and the `all` row of fct_metrics. Returns the periods where any of the three differ.
with

periods as (

    select * from {{ ref('int_metric_periods') }}

),

by_channel as (

    select
        grain,
        period_start,
        sum(new_users) as new_users

    from {{ ref('fct_acquisition') }}
    group by 1, 2

),

by_day as (

    select
        periods.grain,
        periods.period_start,
        sum(engagement.new_users) as new_users

    from periods
    inner join {{ ref('fct_engagement_daily') }} as engagement
        on engagement.activity_date between periods.period_start and periods.period_end
    group by 1, 2

),

in_metrics as (

    select
        grain,
        period_start,
        value as new_users

    from {{ ref('fct_metrics') }}
    where metric_name = 'new_users'
        and breakdown_name = 'all'

)

select
    by_day.grain,
    by_day.period_start,
    by_day.new_users as total_new_users,
    by_channel.new_users as new_users_over_channels,
    in_metrics.new_users as new_users_in_metrics

from by_day
left join by_channel
    on by_day.grain = by_channel.grain
    and by_day.period_start = by_channel.period_start
left join in_metrics
    on by_day.grain = in_metrics.grain
    and by_day.period_start = in_metrics.period_start
where coalesce(by_channel.new_users, 0) <> by_day.new_users
    or coalesce(in_metrics.new_users, 0) <> by_day.new_users
