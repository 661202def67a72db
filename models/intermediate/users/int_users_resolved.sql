-- Every known user once, with signup and attributes: the users feed when it has the user,
-- else the first accepted event or order (docs/metric_definitions.md#conventions).
with

users as {{ not_materialized() }} (

    select * from {{ ref('stg_app__users') }}

),

events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__events') }}

),

orders as {{ not_materialized() }} (

    select * from {{ ref('stg_app__orders') }}

),

first_seen as (

    select
        user_key,
        min(first_at) as first_seen_at

    from (
        select user_key, min(event_at) as first_at from events group by 1
        union all
        select user_key, min(order_at) as first_at from orders group by 1
    ) as firsts
    group by 1

),

all_users as (

    select user_key from users
    union
    select user_key from first_seen

),

final as (

    select
        all_users.user_key,
        coalesce(users.signup_at, first_seen.first_seen_at) as signup_at,
        {{ to_reporting_date('coalesce(users.signup_at, first_seen.first_seen_at)') }} as signup_date,
        users.user_key is not null as is_in_users_feed,
        coalesce(users.acquisition_channel, 'unknown') as acquisition_channel,
        coalesce(users.platform, 'unknown') as platform,
        coalesce(users.city_tier, 'unknown') as city_tier,
        coalesce(users.region, 'unknown') as region,
        coalesce(users.age_group, 'unknown') as age_group

    from all_users
    left join users
        on all_users.user_key = users.user_key
    left join first_seen
        on all_users.user_key = first_seen.user_key

)

select * from final
