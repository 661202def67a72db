-- Per definition x day cohort x breakdown: the day-grain n_period retention at the horizons of var
-- retention_summary_days (D1, D7, D30, D90) side by side, with the cohort size. An immature horizon is NULL.
{%- set horizons = var('retention_summary_days') %}
with

retention as {{ not_materialized() }} (

    select * from {{ ref('fct_cohort_retention') }}
    where grain = 'day'
        and retention_type = 'n_period'

),

pivoted as (

    select
        retention_definition,
        cohort_type,
        cohort_start,
        breakdown_name,
        breakdown_value,
        max(cohort_size) as cohort_size,
    {%- for day in horizons %}
        max(case when period_number = {{ day }} then retained_users end) as d{{ day }}_retained_users,
        max(case when period_number = {{ day }} then retention_rate end) as d{{ day }}_retention_rate,
        max(case when period_number = {{ day }} then ci_low end) as d{{ day }}_ci_low,
        max(case when period_number = {{ day }} then ci_high end) as d{{ day }}_ci_high{{ ',' if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}

    from retention
    group by 1, 2, 3, 4, 5

),

final as (

    select
        cast(retention_definition as {{ dbt.type_string() }}) as retention_definition,
        cast(cohort_type as {{ dbt.type_string() }}) as cohort_type,
        cast(cohort_start as date) as cohort_start,
        cast(breakdown_name as {{ dbt.type_string() }}) as breakdown_name,
        cast(breakdown_value as {{ dbt.type_string() }}) as breakdown_value,
        cast(cohort_size as bigint) as cohort_size,
    {%- for day in horizons %}
        cast(d{{ day }}_retained_users as bigint) as d{{ day }}_retained_users,
        cast(d{{ day }}_retention_rate as double) as d{{ day }}_retention_rate,
        cast(d{{ day }}_ci_low as double) as d{{ day }}_ci_low,
        cast(d{{ day }}_ci_high as double) as d{{ day }}_ci_high{{ ',' if not loop.last }}  -- noqa: LT02
    
    {%- endfor %}

    from pivoted

)

select * from final
