-- Cohort retention, long format: one row per definition x grain x cohort x breakdown x type x period.
-- Daily signup cohorts, N-day retention of the `activity` definition (signup -> any active event).
{%- set max_periods = var('retention_max_periods')['day'] %}
with

users as (

    select * from {{ ref('int_users_resolved') }}

),

activity_days as (

    select * from {{ ref('int_users_activity_days') }}

),

as_of as (

    select
        {% if var('retention_as_of_date') -%}
        cast('{{ var("retention_as_of_date") }}' as date)
        {%- else -%}
            max(activity_date)
        {%- endif %} as as_of_date

    from activity_days

),

cohort_sizes as (

    select
        signup_date as cohort_start,
        count(*) as cohort_size

    from users
    group by 1

),

retained as (

    select
        users.signup_date as cohort_start,
        {{ dbt.datediff('users.signup_date', 'activity_days.activity_date', 'day') }} as period_number,
        count(distinct users.user_key) as retained_users

    from users
    inner join activity_days
        on users.user_key = activity_days.user_key
            and activity_days.activity_date >= users.signup_date
    group by 1, 2

),

periods as (

    select cast(generated_number - 1 as integer) as period_number
    from ({{ dbt.generate_series(max_periods + 1) }}) as series

),

cells as (

    select
        cohort_sizes.cohort_start,
        periods.period_number,
        cohort_sizes.cohort_size,
        coalesce(retained.retained_users, 0) as retained_users,
        {{ dbt.dateadd('day', 'periods.period_number', 'cohort_sizes.cohort_start') }} <= as_of.as_of_date
            as is_mature

    from cohort_sizes
    cross join periods
    cross join as_of
    left join retained
        on cohort_sizes.cohort_start = retained.cohort_start
            and periods.period_number = retained.period_number
    where cohort_sizes.cohort_start <= as_of.as_of_date

),

final as (

    select
        cast('activity' as varchar) as retention_definition,
        cast('day' as varchar) as cohort_grain,
        cast(cohort_start as date) as cohort_start,
        cast('all' as varchar) as breakdown_name,
        cast('all' as varchar) as breakdown_value,
        cast('n_period' as varchar) as retention_type,
        cast(period_number as integer) as period_number,
        cast(cohort_size as bigint) as cohort_size,
        cast(case when is_mature then retained_users end as bigint) as retained_users,
        cast(case when is_mature then retained_users * 1.0 / cohort_size end as double) as retention_rate,
        is_mature

    from cells

)

select * from final
