-- Observed LTV: cumulative net revenue per cohort user by day N after each user's signup day (N in var
-- ltv_days), by signup cohort (the grains of retention_max_periods) and breakdown (`all` and var ltv_breakdowns).
-- Net revenue per user and day since signup comes from int_users_revenue_days (paid orders on or after the
-- signup day; refunded and cancelled orders count 0). A cell is published only when mature: the cohort's last
-- signup day + N is on or before the as-of date, so every member has been observed for N full days (and no
-- order after the as-of date counts).
{%- set grains = var('retention_max_periods').keys() | list %}
{%- set horizons = var('ltv_days') %}
{%- set breakdowns = var('ltv_breakdowns') %}
with

users as {{ not_materialized() }} (

    select * from {{ ref('int_users_resolved') }}

),

revenue_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_revenue_days') }}

),

as_of as {{ not_materialized() }} (

    select * from {{ ref('int_as_of_date') }}

),

grains as (

    {%- for grain in grains %}
        select cast('{{ grain }}' as {{ dbt.type_string() }}) as grain
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

horizons as (

    {%- for day in horizons %}
        select {{ day }} as days_since_signup
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

-- One row per cohort member and grain with the member's breakdown values; the counts below aggregate it with
-- grouping sets (one set for `all`, one per breakdown) instead of a copy of every member row per breakdown.
-- (noqa PRS: sqlfluff's DuckDB grammar does not parse GROUPING SETS.)
members as (

    select
        {%- for breakdown in breakdowns %}
            cast(coalesce(cast(users.{{ breakdown }} as {{ dbt.type_string() }}), 'unknown') as {{ dbt.type_string() }})
                as breakdown_{{ loop.index }},
        {%- endfor %}
        grains.grain,
        {{ period_start_by_grain_column('grains.grain', 'users.signup_date') }} as cohort_start,
        users.user_key

    from users
    cross join grains

),

cohort_sizes as (

    select
        grain,
        cohort_start,
        {{ breakdown_name_value(breakdowns) }},
        count(*) as cohort_size

    from members
    group by {{ breakdown_grouping_sets('grain, cohort_start', breakdowns) }}  -- noqa: PRS

),

-- Cumulative net revenue of each paying user by day N (users without revenue by day N have no row).
user_revenue as (

    select
        revenue_days.user_key,
        horizons.days_since_signup,
        sum(revenue_days.net_revenue) as net_revenue

    from revenue_days
    inner join horizons
        on revenue_days.day_offset <= horizons.days_since_signup
    group by revenue_days.user_key, horizons.days_since_signup

),

member_revenue as (

    select
        members.*,
        user_revenue.days_since_signup,
        user_revenue.net_revenue

    from members
    inner join user_revenue
        on members.user_key = user_revenue.user_key

),

cohort_revenue as (

    select
        grain,
        cohort_start,
        days_since_signup,
        {{ breakdown_name_value(breakdowns) }},
        sum(net_revenue) as net_revenue,
        count(*) as paying_users

    from member_revenue
    group by {{ breakdown_grouping_sets('grain, cohort_start, days_since_signup', breakdowns) }}  -- noqa: PRS

),

cells as (

    select
        cohort_sizes.grain,
        cohort_sizes.cohort_start,
        cohort_sizes.breakdown_name,
        cohort_sizes.breakdown_value,
        horizons.days_since_signup,
        cohort_sizes.cohort_size,
        coalesce(cohort_revenue.paying_users, 0) as paying_users,
        coalesce(cohort_revenue.net_revenue, 0) as cumulative_net_revenue,
        {{ dbt.dateadd(
            'day',
            'horizons.days_since_signup',
            period_end_by_grain_column('cohort_sizes.grain', 'cohort_sizes.cohort_start', '0')
        ) }} as last_observed_day_needed

    from cohort_sizes
    cross join horizons
    left join cohort_revenue
        on cohort_sizes.grain = cohort_revenue.grain
            and cohort_sizes.cohort_start = cohort_revenue.cohort_start
            and cohort_sizes.breakdown_name = cohort_revenue.breakdown_name
            and cohort_sizes.breakdown_value = cohort_revenue.breakdown_value
            and horizons.days_since_signup = cohort_revenue.days_since_signup

),

final as (

    select
        cast(cells.grain as {{ dbt.type_string() }}) as grain,
        cast(cells.cohort_start as date) as cohort_start,
        cast(cells.breakdown_name as {{ dbt.type_string() }}) as breakdown_name,
        cast(cells.breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
        cast(cells.days_since_signup as integer) as days_since_signup,
        cast(cells.cohort_size as bigint) as cohort_size,
        cast(cells.paying_users as bigint) as paying_users,
        cast(cells.cumulative_net_revenue as double) as cumulative_net_revenue,
        cast(cells.cumulative_net_revenue as double) / cells.cohort_size as ltv_per_user

    from cells
    cross join as_of
    where cast(cells.last_observed_day_needed as date) <= as_of.as_of_date

)

select * from final
