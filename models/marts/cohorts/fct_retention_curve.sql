-- The weighted retention curve: per definition, grain, breakdown, type and period (or bracket), the sum of
-- retained users over the sum of cohort sizes of the MATURE cohorts only (docs/metric_definitions.md#conventions), with its 95%
-- Wilson interval. Each period averages the cohorts mature for it, so later periods rest on fewer, older cohorts
-- (mature_cohorts says how many).
with

retention as {{ not_materialized() }} (

    select * from {{ ref('fct_cohort_retention') }}
    where is_mature

),

weighted as (

    select
        retention_definition,
        cohort_type,
        grain,
        breakdown_name,
        breakdown_value,
        retention_type,
        period_number,
        bracket_label,
        count(*) as mature_cohorts,
        sum(cohort_size) as cohort_users,
        sum(retained_users) as retained_users

    from retention
    group by 1, 2, 3, 4, 5, 6, 7, 8

),

final as (

    select
        cast(retention_definition as {{ dbt.type_string() }}) as retention_definition,
        cast(cohort_type as {{ dbt.type_string() }}) as cohort_type,
        cast(grain as {{ dbt.type_string() }}) as grain,
        cast(breakdown_name as {{ dbt.type_string() }}) as breakdown_name,
        cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
        cast(retention_type as {{ dbt.type_string() }}) as retention_type,
        cast(period_number as integer) as period_number,
        cast(bracket_label as {{ dbt.type_string() }}) as bracket_label,
        cast(mature_cohorts as bigint) as mature_cohorts,
        cast(cohort_users as bigint) as cohort_users,
        cast(retained_users as bigint) as retained_users,
        cast(retained_users * 1.0 / cohort_users as double) as retention_rate,
        cast({{ wilson_ci_low('retained_users', 'cohort_users') }} as double) as ci_low,
        cast({{ wilson_ci_high('retained_users', 'cohort_users') }} as double) as ci_high

    from weighted

)

select * from final
