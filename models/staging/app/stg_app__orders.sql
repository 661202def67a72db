with

-- A later delivery of an order corrects it (a refund, say): each order's latest delivery stands.
source as {{ not_materialized() }} (

    {{ current_rows(source('app', 'orders'), ['order_id']) }}

),

final as (

    select
        order_id,
        {{ pseudonymise('user_id') }} as user_key,
        order_at,
        {{ to_reporting_date('order_at') }} as order_date,
        cast(amount as decimal(18, 2)) as amount,
        upper(coalesce(currency, '{{ var("default_currency") }}')) as currency,
        status as order_status,
        status = 'paid' as is_paid

    from source

)

select * from final
