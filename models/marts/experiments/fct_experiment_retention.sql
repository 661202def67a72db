-- Retention of analysed exposed users, measured from the first exposure: one row per experiment x variant x
-- exposure day (the cohort) x retention definition x day of var experiment_retention_days. A cell is mature when
-- exposure day + n is on or before the as-of date; an immature cell has NULL retained users, rate and interval.
{#- A cell: one exposure-day cohort of a variant, for one definition and day n. #}
{%- set cell_keys = ['experiment_name', 'variant_name', 'exposure_date', 'retention_definition', 'period_number'] %}
with

user_metrics as {{ not_materialized() }} (

    select * from {{ ref('int_experiment_user_metrics') }}
    where retention_definition is not null

),

cells as (

    select
        {{ cell_keys | join(',\n        ') }},
        count(*) as cohort_size,
        min(case when is_mature then 1 else 0 end) as mature_flag,
        sum(metric_value) as observed_retained_users

    from user_metrics
    group by 1, 2, 3, 4, 5

),

measured as (

    select
        {{ cell_keys | join(',\n        ') }},
        cohort_size,
        mature_flag = 1 as is_mature,
        case when mature_flag = 1 then observed_retained_users end as retained_users

    from cells

),

final as (

    select
        cast(experiment_name as {{ dbt.type_string() }}) as experiment_name,
        cast(variant_name as {{ dbt.type_string() }}) as variant_name,
        cast(exposure_date as date) as exposure_date,
        cast(retention_definition as {{ dbt.type_string() }}) as retention_definition,
        cast(period_number as integer) as period_number,
        cast(cohort_size as bigint) as cohort_size,
        cast(retained_users as bigint) as retained_users,
        cast(cast(retained_users as double) / cohort_size as double) as retention_rate,
        cast(
            case when retained_users is not null then {{ wilson_ci_low('retained_users', 'cohort_size') }} end
            as double
        ) as ci_low,
        cast(
            case when retained_users is not null then {{ wilson_ci_high('retained_users', 'cohort_size') }} end
            as double
        ) as ci_high,
        is_mature

    from measured

)

select * from final
