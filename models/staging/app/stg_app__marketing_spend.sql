with

source as {{ not_materialized() }} (

    select * from {{ source('app', 'marketing_spend') }}

),

final as (

    select
        spend_date,
        lower(channel) as acquisition_channel,
        cast(spend as decimal(18, 2)) as spend

    from source

)

select * from final
