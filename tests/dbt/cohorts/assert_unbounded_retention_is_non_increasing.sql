-- Unbounded retention ("active in period n or later") can only fall as n grows: fails on every mature cell
-- whose retained users exceed those of the previous period of the same cohort, breakdown and definition.
with

retention as (

    select * from {{ ref('fct_cohort_retention') }}
    where retention_type = 'unbounded' and is_mature

),

final as (

    select
        later.retention_definition,
        later.grain,
        later.cohort_start,
        later.breakdown_name,
        later.breakdown_value,
        later.period_number,
        earlier.retained_users as previous_retained_users,
        later.retained_users

    from retention as later
    inner join retention as earlier
        on later.retention_definition = earlier.retention_definition
        and later.grain = earlier.grain
        and later.cohort_start = earlier.cohort_start
        and later.breakdown_name = earlier.breakdown_name
        and later.breakdown_value = earlier.breakdown_value
        and later.period_number = earlier.period_number + 1
    where later.retained_users > earlier.retained_users

)

select * from final
