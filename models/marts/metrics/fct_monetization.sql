-- Monetisation per grain (var grains.metrics) and calendar period (docs/metric_definitions.md#monetisation-and-acquisition). Revenue is the amount of
-- paid orders (refunded and cancelled orders are not revenue; refunds are counted apart). Active users are users
-- with an active event or a paid order in the period, so buyers are always among them.
with

periods as {{ not_materialized() }} (

    select * from {{ ref('int_metric_periods') }}

),

orders as {{ not_materialized() }} (

    select * from {{ ref('stg_app__orders') }}

),

activity_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_activity_days') }}

),

paid_orders as (

    select
        user_key,
        order_date,
        amount

    from orders
    where is_paid

),

user_days as (

    select user_key, activity_date from activity_days
    union
    select user_key, order_date as activity_date from paid_orders

),

buyer_periods as (

    select
        periods.grain,
        periods.period_start,
        paid_orders.user_key,
        count(*) as orders,
        sum(paid_orders.amount) as revenue

    from periods
    inner join paid_orders
        on paid_orders.order_date between periods.period_start and periods.observed_through
    group by 1, 2, 3

),

buyers as (

    select
        grain,
        period_start,
        sum(revenue) as gmv,
        sum(orders) as orders,
        count(*) as buyers,
        sum(case when orders >= 2 then 1 else 0 end) as repeat_buyers

    from buyer_periods
    group by 1, 2

),

active as (

    select
        periods.grain,
        periods.period_start,
        count(distinct user_days.user_key) as active_users

    from periods
    inner join user_days
        on user_days.activity_date between periods.period_start and periods.observed_through
    group by 1, 2

),

refunds as (

    select
        periods.grain,
        periods.period_start,
        count(*) as refunds,
        sum(orders.amount) as refund_amount

    from periods
    inner join orders
        on orders.order_date between periods.period_start and periods.observed_through
    where orders.order_status = 'refunded'
    group by 1, 2

),

final as (

    select
        periods.grain,
        periods.period_start,
        periods.period_end,
        cast(coalesce(buyers.gmv, 0) as double) as gmv,
        cast(coalesce(buyers.orders, 0) as bigint) as orders,
        cast(coalesce(buyers.buyers, 0) as bigint) as buyers,
        cast(coalesce(active.active_users, 0) as bigint) as active_users,
        cast({{ safe_ratio('buyers.gmv', 'buyers.orders') }} as double) as aov,
        cast({{ safe_ratio('coalesce(buyers.gmv, 0)', 'active.active_users') }} as double) as arpu,
        cast({{ safe_ratio('buyers.gmv', 'buyers.buyers') }} as double) as arppu,
        cast({{ safe_ratio('coalesce(buyers.buyers, 0)', 'active.active_users') }} as double) as paying_rate,
        cast(coalesce(buyers.repeat_buyers, 0) as bigint) as repeat_buyers,
        cast({{ safe_ratio('buyers.repeat_buyers', 'buyers.buyers') }} as double) as repurchase_rate,
        cast(coalesce(refunds.refunds, 0) as bigint) as refunds,
        cast(coalesce(refunds.refund_amount, 0) as double) as refund_amount,
        periods.is_complete as is_complete_period

    from periods
    left join buyers
        on periods.grain = buyers.grain
            and periods.period_start = buyers.period_start
    left join active
        on periods.grain = active.grain
            and periods.period_start = active.period_start
    left join refunds
        on periods.grain = refunds.grain
            and periods.period_start = refunds.period_start

)

select * from final
