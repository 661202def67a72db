with

source as {{ not_materialized() }} (

    select * from {{ source('app', 'users') }}

),

-- A repeated user_id is an update: the latest delivered row wins.
latest as (

    select
        *,
        row_number() over (
            partition by user_id
            order by _loaded_at desc, _source_file desc, _row_number desc
        ) as delivery_rank

    from source

),

final as (

    select
        {{ pseudonymise('user_id') }} as user_key,
        signup_at,
        {{ to_reporting_date('signup_at') }} as signup_date,
        coalesce(lower(acquisition_channel), 'unknown') as acquisition_channel,
        coalesce(lower(platform), 'unknown') as platform,
        coalesce(lower(city_tier), 'unknown') as city_tier,
        coalesce(lower(region), 'unknown') as region,
        birth_year,
        {{ age_group('birth_year') }} as age_group

    from latest
    where delivery_rank = 1

)

select * from final
