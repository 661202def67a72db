-- Net revenue per user and reporting day since the user's signup day, the base of observed LTV
-- (docs/metric_definitions.md#monetisation-and-acquisition): one row per user and order day with at least one
-- paid order on or after the signup day. Refunded and cancelled orders count 0 (no row); orders before the
-- signup day do not count. Every order day is kept: the marts bound the days by their own maturity rules.
with

users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

orders as {{ not_materialized() }} (

    select * from {{ ref('stg_app__orders') }}

),

final as (

    select
        users.user_key,
        users.signup_date,
        orders.order_date,
        cast({{ dbt.datediff('users.signup_date', 'orders.order_date', 'day') }} as integer) as day_offset,
        cast(sum(orders.amount) as decimal(38, 2)) as net_revenue,
        count(*) as paid_orders

    from users
    inner join orders
        on users.user_key = orders.user_key
    where orders.is_paid
        and orders.order_date >= users.signup_date
    group by 1, 2, 3, 4

)

select * from final
