with

source as {{ not_materialized() }} (

    select * from {{ source('app', 'subscriptions') }}

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
