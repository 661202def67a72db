-- Active in period n implies active in n or later: fails on every cell whose n_period count exceeds the
-- unbounded count of the same cohort, breakdown, definition and period, or whose maturity differs.
with

retention as (

    select * from {{ ref('fct_cohort_retention') }}

),

final as (

    select
        n_period.retention_definition,
        n_period.grain,
        n_period.cohort_start,
        n_period.breakdown_name,
        n_period.breakdown_value,
        n_period.period_number,
        n_period.retained_users as n_period_retained_users,
        unbounded.retained_users as unbounded_retained_users

    from retention as n_period
    inner join retention as unbounded
        on n_period.retention_definition = unbounded.retention_definition
        and n_period.grain = unbounded.grain
        and n_period.cohort_start = unbounded.cohort_start
        and n_period.breakdown_name = unbounded.breakdown_name
        and n_period.breakdown_value = unbounded.breakdown_value
        and n_period.period_number = unbounded.period_number
    where n_period.retention_type = 'n_period'
        and unbounded.retention_type = 'unbounded'
        and (
            n_period.retained_users > unbounded.retained_users
            or n_period.is_mature <> unbounded.is_mature
        )

)

select * from final
