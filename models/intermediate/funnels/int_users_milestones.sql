-- One row per user and milestone reached, at the moment it was first reached (docs/metric_definitions.md#funnels).
-- Funnel steps may name these milestones besides raw events (var funnels).
{%- set regular = var('regular_use') %}
{%- set topics = var('milestone_topic_follows') %}
with

users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

events as {{ not_materialized() }} (

    select * from {{ ref('stg_app__events') }}

),

orders as {{ not_materialized() }} (

    select * from {{ ref('stg_app__orders') }}

),

interactions as (

    select
        user_key,
        event_at,
        -- the interaction (regular.interactions - 1) before this one: with it, this one completes the count
        lag(event_at, {{ regular['interactions'] - 1 }}) over (
            partition by user_key order by event_at, event_id
        ) as earlier_at

    from events
    where is_interaction

),

paid_orders as (

    select
        user_key,
        order_at,
        row_number() over (partition by user_key order by order_at, order_id) as order_number

    from orders
    where is_paid

),

topic_follows as (

    select
        user_key,
        event_at,
        row_number() over (partition by user_key order by event_at, event_id) as follow_number

    from events
    where event_name = '{{ topics["event"] }}'

),

milestones as (

    select user_key, 'signed_up' as milestone_name, signup_at as milestone_at
    from users

    union all

    select user_key, 'first_interaction' as milestone_name, min(event_at) as milestone_at
    from interactions
    group by 1, 2

    union all

    -- regular participation: the first interaction that completes N interactions within D days
    select user_key, 'regular_participation' as milestone_name, min(event_at) as milestone_at
    from interactions
    where earlier_at >= {{ dbt.dateadd('day', -regular['days'], 'event_at') }}
    group by 1, 2

    union all

    select user_key, 'first_payment' as milestone_name, order_at as milestone_at
    from paid_orders
    where order_number = 1

    union all

    select user_key, 'repurchase' as milestone_name, order_at as milestone_at
    from paid_orders
    where order_number = 2

    union all

    select user_key, 'became_creator' as milestone_name, min(event_at) as milestone_at
    from events
    where is_creation
    group by 1, 2

    union all

    select user_key, 'first_recommendation' as milestone_name, min(event_at) as milestone_at
    from events
    where {{ in_list('event_name', var('milestone_recommendation_events')) }}
    group by 1, 2

    union all

    select user_key, 'followed_three_topics' as milestone_name, event_at as milestone_at
    from topic_follows
    where follow_number = {{ topics['count'] }}

),

final as (

    select
        user_key,
        cast(milestone_name as {{ dbt.type_string() }}) as milestone_name,
        milestone_at

    from milestones
    where milestone_at is not null

)

select * from final
