with

-- A later delivery of a user corrects it: each user's latest delivery stands.
source as {{ not_materialized() }} (

    {{ current_rows(source('app', 'users'), ['user_id']) }}

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

    from source

)

select * from final
