-- Cross-grain consistency: GMV, orders and refunds of a week or month (fct_monetization) equal the sum of their
-- days. Returns the periods that differ (GMV within a cent).
with

monetization as (

    select * from {{ ref('fct_monetization') }}

),

days as (

    select * from monetization
    where grain = 'day'

),

summed as (

    select
        periods.grain,
        periods.period_start,
        sum(days.gmv) as gmv,
        sum(days.orders) as orders,
        sum(days.refunds) as refunds

    from monetization as periods
    inner join days
        on days.period_start between periods.period_start and periods.period_end
    where periods.grain <> 'day'
    group by 1, 2

)

select
    monetization.grain,
    monetization.period_start,
    monetization.gmv,
    summed.gmv as gmv_of_days

from monetization
inner join summed
    on monetization.grain = summed.grain
    and monetization.period_start = summed.period_start
where abs(monetization.gmv - summed.gmv) > 0.01
    or monetization.orders <> summed.orders
    or monetization.refunds <> summed.refunds
