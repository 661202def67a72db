with

-- A later delivery of a billing period corrects it: each period's latest delivery stands.
source as {{ not_materialized() }} (

    {{ current_rows(source('app', 'subscriptions'), ['subscription_id', 'period_start_at']) }}

),

final as (

    select
        subscription_id,
        {{ pseudonymise('user_id') }} as user_key,
        coalesce(plan, 'unknown') as plan,
        period_start_at,
        period_end_at,
        {{ to_reporting_date('period_end_at') }} as period_end_date,
        cast(amount as decimal(18, 2)) as amount

    from source

)

select * from final
