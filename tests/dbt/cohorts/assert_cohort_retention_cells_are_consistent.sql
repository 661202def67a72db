-- Every cell: 0 <= retained <= cohort size; a mature cell has a rate equal to retained / size inside its
-- Wilson interval (ci_low <= rate <= ci_high, within 0 and 1); an immature cell has no count, rate or interval.
with

retention as (

    select * from {{ ref('fct_cohort_retention') }}

),

final as (

    select *
    from retention
    where cohort_size <= 0
        or (
            is_mature
            and (
                retained_users is null
                or retained_users < 0
                or retained_users > cohort_size
                or retention_rate is null
                or abs(retention_rate - retained_users * 1.0 / cohort_size) > 1e-12
                or ci_low is null
                or ci_high is null
                or ci_low < 0
                or ci_high > 1
                or ci_low > retention_rate + 1e-12
                or retention_rate > ci_high + 1e-12
            )
        )
        or (
            not is_mature
            and (retained_users is not null or retention_rate is not null or ci_low is not null or ci_high is not null)
        )
        or (retention_type = 'bracket' and bracket_label is null)
        or (retention_type <> 'bracket' and bracket_label is not null)

)

select * from final
