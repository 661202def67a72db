-- One row per experiment x analysed user x metric: the user's outcome, measured from their first exposure.
-- Retention, for every definition of var retention_definitions and day of var experiment_retention_days: 1 when
-- the user has a return day of the definition on exposure day + n (mature once that day is on or before the
-- as-of date). Paying rate, ARPU and repurchase rate count the paid orders from the first exposure to the end of
-- exposure day + var experiment_metric_window_days - 1 (mature once that day is on or before the as-of date);
-- the repurchase rate's denominator is the users who paid in that window (docs/experiments.md).
{%- set window_days = var('experiment_metric_window_days') %}
with

assignments as {{ not_materialized() }} (

    select * from {{ ref('int_experiment_assignments') }}
    where is_included

),

user_retention_days as {{ not_materialized() }} (

    select * from {{ ref('int_users_retention_days') }}

),

orders as {{ not_materialized() }} (

    select * from {{ ref('stg_app__orders') }}

),

as_of as {{ not_materialized() }} (

    select * from {{ ref('int_as_of_date') }}

),

retention_metrics as (

    {%- for definition in var('retention_definitions') %}
        {%- set outer = loop %}
        {%- for day in var('experiment_retention_days') %}
            select
                cast('{{ definition.name }}_d{{ day }}_retention_rate' as {{ dbt.type_string() }}) as metric_name,
                cast('{{ definition.name }}' as {{ dbt.type_string() }}) as retention_definition,
                {{ day }} as period_number
            {% if not (outer.last and loop.last) %}union all{% endif %}
        {%- endfor %}
    {%- endfor %}

),

returns as (

    select
        assignments.experiment_name,
        assignments.user_key,
        user_retention_days.retention_definition,
        cast({{ dbt.datediff('assignments.exposure_date', 'user_retention_days.activity_date', 'day') }} as integer)
            as period_number

    from assignments
    inner join user_retention_days
        on
            assignments.user_key = user_retention_days.user_key
            and user_retention_days.is_return_day
            and user_retention_days.activity_date > assignments.exposure_date
    where
        {{ dbt.datediff('assignments.exposure_date', 'user_retention_days.activity_date', 'day') }}
        in ({{ var('experiment_retention_days') | join(', ') }})

),

retention as (

    select
        assignments.experiment_name,
        assignments.user_key,
        assignments.variant_name,
        assignments.exposure_date,
        retention_metrics.metric_name,
        cast('proportion' as {{ dbt.type_string() }}) as metric_kind,
        retention_metrics.retention_definition,
        retention_metrics.period_number,
        {{ dbt.dateadd('day', 'retention_metrics.period_number', 'assignments.exposure_date') }}
        <= as_of.as_of_date as is_mature,
        true as is_in_denominator,
        case when returns.user_key is not null then 1.0 else 0.0 end as metric_value

    from assignments
    cross join retention_metrics
    cross join as_of
    left join returns
        on
            assignments.experiment_name = returns.experiment_name
            and assignments.user_key = returns.user_key
            and retention_metrics.retention_definition = returns.retention_definition
            and retention_metrics.period_number = returns.period_number

),

window_orders as (

    select
        assignments.experiment_name,
        assignments.user_key,
        count(*) as paid_orders,
        sum(orders.amount) as revenue

    from assignments
    inner join orders
        on
            assignments.user_key = orders.user_key
            and orders.is_paid
            and orders.order_at >= assignments.first_exposed_at
            and orders.order_date <= {{ dbt.dateadd('day', window_days - 1, 'assignments.exposure_date') }}
    group by 1, 2

),

monetization_metrics as (

    select
        cast('paying_rate' as {{ dbt.type_string() }}) as metric_name,
        cast('proportion' as {{ dbt.type_string() }}) as metric_kind
    union all
    select
        cast('arpu' as {{ dbt.type_string() }}) as metric_name,
        cast('mean' as {{ dbt.type_string() }}) as metric_kind
    union all
    select
        cast('repurchase_rate' as {{ dbt.type_string() }}) as metric_name,
        cast('proportion' as {{ dbt.type_string() }}) as metric_kind

),

monetization as (

    select
        assignments.experiment_name,
        assignments.user_key,
        assignments.variant_name,
        assignments.exposure_date,
        monetization_metrics.metric_name,
        monetization_metrics.metric_kind,
        cast(null as {{ dbt.type_string() }}) as retention_definition,
        cast(null as integer) as period_number,
        {{ dbt.dateadd('day', window_days - 1, 'assignments.exposure_date') }} <= as_of.as_of_date as is_mature,
        monetization_metrics.metric_name <> 'repurchase_rate'
        or coalesce(window_orders.paid_orders, 0) >= 1 as is_in_denominator,
        case monetization_metrics.metric_name
            when 'paying_rate' then case when window_orders.paid_orders >= 1 then 1.0 else 0.0 end
            when 'arpu' then cast(coalesce(window_orders.revenue, 0) as double)
            when 'repurchase_rate' then case when window_orders.paid_orders >= 2 then 1.0 else 0.0 end
        end as metric_value

    from assignments
    cross join monetization_metrics
    cross join as_of
    left join window_orders
        on
            assignments.experiment_name = window_orders.experiment_name
            and assignments.user_key = window_orders.user_key

),

unioned as (

    select * from retention
    union all
    select * from monetization

),

final as (

    select
        cast(experiment_name as {{ dbt.type_string() }}) as experiment_name,
        cast(user_key as {{ dbt.type_string() }}) as user_key,
        cast(variant_name as {{ dbt.type_string() }}) as variant_name,
        cast(exposure_date as date) as exposure_date,
        cast(metric_name as {{ dbt.type_string() }}) as metric_name,
        cast(metric_kind as {{ dbt.type_string() }}) as metric_kind,
        cast(retention_definition as {{ dbt.type_string() }}) as retention_definition,
        cast(period_number as integer) as period_number,
        is_mature,
        is_in_denominator,
        cast(metric_value as double) as metric_value

    from unioned

)

select * from final
